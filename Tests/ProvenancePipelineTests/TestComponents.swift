/// The components and pipelines the executor tests run: shell steps that write, copy, fail, hang, or misreport
/// their outputs. Each step appends `TASK.ATTEMPT` to the file its `journal` parameter names, so a test can count
/// how many times a step actually ran. `write` and `patient` may be tried three times: a lease lost to a killed or
/// paused executor counts as an attempt.
enum TestComponents {
    static let all = """
        name: write
        version: "1"
        outputs: {out: Dataset}
        parameters:
          text: {type: STRING, default: hello}
          sleep: {type: DOUBLE, default: 0}
          journal: {type: STRING, default: /dev/null}
        run:
          command: [sh, -c, 'echo $$ > "$PROVENANCE_ATTEMPT_DIR/pid"; echo "{{task.id}}.{{attempt}}" >> "{{parameters.journal}}"; echo "writing {{parameters.text}}"; sleep {{parameters.sleep}}; echo "{{parameters.text}}" > "{{outputs.out.uri}}"']
        retries: {max_attempts: 3, backoff: 0s}
        ---
        name: copy
        version: "1"
        inputs: {in: Dataset}
        outputs: {out: Dataset}
        run:
          command: [sh, -c, 'cat "{{inputs.in.uri}}" > "{{outputs.out.uri}}"; printf ''{"outputs": {"out": {"metrics": {"bytes": 6}, "custom_properties": {"copied": "yes"}}}}'' > "{{outputs_file}}"; echo copied']
        ---
        name: fail
        version: "1"
        outputs: {out: Dataset}
        parameters:
          journal: {type: STRING, default: /dev/null}
        run:
          command: [sh, -c, 'echo "{{task.id}}.{{attempt}}" >> "{{parameters.journal}}"; for i in $(seq 1 60); do echo "progress $i"; done; echo "oops: the data is bad" >&2; exit 3']
        retries: {max_attempts: 2, backoff: 0s}
        ---
        name: hang
        version: "1"
        outputs: {out: Dataset}
        run:
          command: [sh, -c, 'echo started; sleep 600']
        timeout: 1s
        ---
        name: crash
        version: "1"
        outputs: {out: Dataset}
        run:
          command: [sh, -c, 'echo about to crash; kill -9 $$']
        ---
        name: forgetful
        version: "1"
        outputs: {out: Dataset, extra: Dataset}
        run:
          command: [sh, -c, 'echo done > "{{outputs.out.uri}}"']
        ---
        name: liar
        version: "1"
        outputs: {out: Dataset}
        run:
          command: [sh, -c, 'echo done > "{{outputs.out.uri}}"; echo ''{"outputs": {"model": {}}}'' > "{{outputs_file}}"']
        ---
        name: needs-flag
        version: "1"
        inputs: {in: Dataset}
        outputs: {out: Dataset}
        parameters:
          flag: STRING
          journal: {type: STRING, default: /dev/null}
        run:
          command: [sh, -c, 'echo "{{task.id}}.{{attempt}}" >> "{{parameters.journal}}"; test -f "{{parameters.flag}}" || { echo "no flag at {{parameters.flag}}" >&2; exit 1; }; cp "{{inputs.in.uri}}" "{{outputs.out.uri}}"']
        ---
        name: patient
        version: "1"
        outputs: {out: Dataset}
        run:
          command: [sh, -c, 'echo $$ > "$PROVENANCE_ATTEMPT_DIR/pid"; if [ {{attempt}} = 1 ]; then sleep 600; fi; echo done > "{{outputs.out.uri}}"']
        retries: {max_attempts: 3, backoff: 0s}
        ---
        name: noisy
        version: "1"
        outputs: {out: Dataset}
        run:
          command: [sh, -c, 'head -c 204800 /dev/zero | tr "\\0" x; printf "\\n 10%%\\r 50%%\\r100%%\\n"; sleep 600 >/dev/null 2>&1 & echo $! > "$PROVENANCE_ATTEMPT_DIR/background.pid"; echo done > "{{outputs.out.uri}}"']
        ---
        name: measured
        version: "1"
        outputs: {out: Dataset}
        run:
          command: [sh, -c, 'for i in 0 1 2; do echo "{\\\"name\\\":\\\"loss\\\",\\\"step\\\":$i,\\\"value\\\":0.$((9-i))}" >> "$PROVENANCE_METRICS_FILE"; done; echo "not json" >> "$PROVENANCE_METRICS_FILE"; printf "{\\\"name\\\":\\\"auc\\\",\\\"value\\\":0.93}" >> "$PROVENANCE_METRICS_FILE"; echo done > "{{outputs.out.uri}}"']
        ---
        name: bloated
        version: "1"
        outputs: {out: Dataset}
        run:
          command: [sh, -c, 'echo done > "{{outputs.out.uri}}"; head -c 5242880 /dev/zero | tr "\\0" " " > "{{outputs_file}}"']
        ---
        name: undeclared
        version: "1"
        outputs: {out: Dataset}
        run:
          command: [sh, -c, 'echo done > "{{outputs.out.uri}}"; echo ''{"outputs": {"out": {"properties": {"undeclared": 1}}}}'' > "{{outputs_file}}"']
        ---
        name: chain
        parameters:
          text: {type: STRING, default: hello}
          sleep: {type: DOUBLE, default: 0}
          journal: {type: STRING, default: /dev/null}
        steps:
          write:
            component: write@1
            parameters: {text: "{{parameters.text}}", sleep: "{{parameters.sleep}}", journal: "{{parameters.journal}}"}
          copy:
            component: copy@1
            inputs: {in: write.out}
          final:
            component: copy@1
            inputs: {in: copy.out}
        """

    /// A pipeline of one step of `component` (and a downstream copy when it has the output `out`).
    static func single(_ component: String, name: String? = nil, parameters: String = "{}") -> String {
        """
        name: \(name ?? "only-\(component)")
        steps:
          step:
            component: \(component)@1
            parameters: \(parameters)
          after:
            component: copy@1
            inputs: {in: step.out}
        """
    }
}
