"""Writes the FileDescriptorSet of MLMD's gRPC contract, read from the descriptors that the `ml-metadata` wheel
embeds in its generated Python modules, with every file they import (Google's well-known types included), in
dependency order. Usage: python extract_descriptors.py OUTPUT.pb"""
import sys

from google.protobuf import descriptor_pb2
from ml_metadata.proto import metadata_store_service_pb2


def collect(file_descriptor, seen, ordered):
    if file_descriptor.name in seen:
        return
    seen.add(file_descriptor.name)
    for dependency in file_descriptor.dependencies:
        collect(dependency, seen, ordered)
    proto = descriptor_pb2.FileDescriptorProto()
    file_descriptor.CopyToProto(proto)
    ordered.append(proto)


def main():
    ordered = []
    collect(metadata_store_service_pb2.DESCRIPTOR, set(), ordered)
    descriptor_set = descriptor_pb2.FileDescriptorSet(file=ordered)
    with open(sys.argv[1], "wb") as output:
        output.write(descriptor_set.SerializeToString())
    print("\n".join(proto.name for proto in ordered))


if __name__ == "__main__":
    main()
