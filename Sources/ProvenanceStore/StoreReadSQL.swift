/// The store's reads outside the run engine that run as prepared statements (see `PreparedQueryName`): those on the
/// path of every submitted run and every run read, where planning cost more than running.
enum StoreReadSQL {
    enum RunByID: PreparedQueryName { static let name = "run_by_id" }
    enum TasksOfRun: PreparedQueryName { static let name = "tasks_of_run" }
    enum TaskInNamespace: PreparedQueryName { static let name = "task_in_namespace" }
    enum PipelineVersion: PreparedQueryName { static let name = "pipeline_version" }
    enum PipelineVersions: PreparedQueryName { static let name = "pipeline_versions" }
    enum ComponentsByReference: PreparedQueryName { static let name = "components_by_reference" }
    enum ComponentsNamed: PreparedQueryName { static let name = "components_named" }
}
