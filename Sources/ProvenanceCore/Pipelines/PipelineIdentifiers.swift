/// Tag for component ids.
public enum ComponentTag {}
/// Tag for pipeline ids.
public enum PipelineTag {}
/// Tag for pipeline version ids.
public enum PipelineVersionTag {}
/// Tag for run ids.
public enum RunTag {}
/// Tag for task ids.
public enum TaskTag {}
/// Tag for executor ids.
public enum ExecutorTag {}
/// Tag for schedule ids.
public enum ScheduleTag {}

/// The id of a registered component version.
public typealias ComponentID = Identifier<ComponentTag>
/// The id of a pipeline.
public typealias PipelineID = Identifier<PipelineTag>
/// The id of one immutable version of a pipeline.
public typealias PipelineVersionID = Identifier<PipelineVersionTag>
/// The id of a run.
public typealias RunID = Identifier<RunTag>
/// The id of a task (one step of one run).
public typealias TaskID = Identifier<TaskTag>
/// The id of an attached executor.
public typealias ExecutorID = Identifier<ExecutorTag>
/// The id of a schedule.
public typealias ScheduleID = Identifier<ScheduleTag>
