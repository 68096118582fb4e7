#!/bin/sh
# Regenerates Sources/ProvenanceMLMD/Generated from MLMD 1.17.1's wire contract. Run by hand when the contract
# changes; the normal build never runs protoc. Needs Debian's protobuf-compiler (`apt-get install
# protobuf-compiler`) and Python 3.11. The descriptors come from the `ml-metadata` wheel itself (no .proto
# sources are copied into this repository); the generators are the swift-protobuf and grpc-swift-protobuf
# versions this package already depends on.
set -eu
cd "$(dirname "$0")/../.."
WORK=.build-codegen
OUT=Sources/ProvenanceMLMD/Generated
command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }
mkdir -p "$WORK"
if [ ! -x "$WORK/venv/bin/python" ]; then
    python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install --quiet ml-metadata==1.17.1
fi
"$WORK/venv/bin/python" scripts/mlmd/extract_descriptors.py "$WORK/mlmd.pb"
swift build --product protoc-gen-swift
swift build --product protoc-gen-grpc-swift-2
BIN="$(swift build --show-bin-path)"
rm -rf "$OUT" && mkdir -p "$OUT"
FILES="ml_metadata/proto/metadata_store.proto ml_metadata/proto/metadata_store_service.proto"
# shellcheck disable=SC2086
protoc --descriptor_set_in="$WORK/mlmd.pb" \
    --plugin=protoc-gen-swift="$BIN/protoc-gen-swift" \
    --swift_out="$OUT" --swift_opt=FileNaming=DropPath,Visibility=Internal \
    --plugin=protoc-gen-grpc-swift-2="$BIN/protoc-gen-grpc-swift-2" \
    --grpc-swift-2_out="$OUT" \
    --grpc-swift-2_opt=FileNaming=DropPath,Visibility=Internal,Server=true,Client=true \
    $FILES
"$WORK/venv/bin/python" scripts/mlmd/generate_registration.py "$WORK/mlmd.pb" \
    "$OUT/MetadataStoreService+Registration.swift"
# protoc writes a Swift file even for a proto without services; keep only files that declare something.
grep -l "This file contained no services" "$OUT"/*.grpc.swift | xargs -r rm
ls -l "$OUT"
