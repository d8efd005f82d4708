/**
 * cnf-admin's CDK constructs: what a team adds to its own CDK app. The only
 * part of cnf-admin that imports aws-cdk-lib. Building a bundle by hand
 * (`AdminApp` builds one itself unless given one) is `cnf-admin/bundle`.
 */
export { CnfError, isCnfError, UsageError } from '../core/errors.js';
export type { CnfErrorOptions, Fault } from '../core/errors.js';
export type { BundleFile } from '../core/release.js';
export type { PlatformKind, Stage } from '../core/stage.js';
export type { ContainerRecord, FunctionRecord, StageRecord } from '../core/stage-record.js';
export type { ContainerSettings } from '../core/container-run.js';
export type { JsonSchema, TaskCatalog, TaskInfo } from '../core/task-catalog.js';
export type { TaskRuntime } from '../core/task-runtime.js';
export { AdminApp } from './admin-app.js';
export type { AdminAppProps, PrebuiltBundle, ReleasePhaseOptions } from './admin-app.js';
export type { StagedBundle } from '../bundle/stage-bundle.js';
export { AdminSchedules } from './admin-schedules.js';
export type { AdminScheduleOptions, AdminSchedulesProps } from './admin-schedules.js';
export { AdminTestEvents } from './admin-test-events.js';
export type { AdminTestEventsProps } from './admin-test-events.js';
export { ContainerTasks } from './container-tasks.js';
export type { ContainerTasksOptions, ContainerTasksProps } from './container-tasks.js';
export { addCdkNagChecks, addEveryStageStack, addProjectStack, runCdkApp, STAGE_CONTEXT_KEY, stagesToSynth } from './cdk-app.js';
export type { CdkAppOptions, StageProps } from './cdk-app.js';
export { DeployedConfig } from './deployed-config.js';
export type { DeployedConfigProps } from './deployed-config.js';
export { ConstructValidationError } from './errors.js';
export type { FunctionSettings } from './function-settings.js';
export { ReleasePhase } from './release-phase.js';
export type { ReleasePhaseProps } from './release-phase.js';
export { RunLedgerTable } from './run-ledger-table.js';
export type { RunLedgerTableProps } from './run-ledger-table.js';
export { StageParameters } from './stage-parameters.js';
export type { StageParametersProps } from './stage-parameters.js';
export { StageRecordParameter } from './stage-record-parameter.js';
export type { StageRecordParameterProps } from './stage-record-parameter.js';
