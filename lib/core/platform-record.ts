/** The figures of Lambda's end-of-invocation report. */
interface LambdaReportMetrics {
  readonly durationMs: number;
  readonly billedDurationMs: number;
  readonly memorySizeMB: number;
  readonly maxMemoryUsedMB: number;
  /** Only on a cold start: how long the execution environment took to start. */
  readonly initDurationMs?: number;
}

/**
 * A line Lambda writes itself around each invocation: in the JSON log
 * format a platform record, `{"time":…,"type":"platform.start"|"platform.runtimeDone"|"platform.report","record":{…}}`;
 * in the text format `START RequestId: …`, `END RequestId: …` and
 * `REPORT RequestId: … Duration: 2.84 ms Billed Duration: 3 ms Memory Size: 128 MB Max Memory Used: 64 MB Init Duration: 171.95 ms`.
 */
interface LambdaRecord {
  /** `platform.start`, `platform.runtimeDone`, `platform.report`, ...; `START`, `END`, `REPORT` in the text format. */
  readonly type: string;
  /** The report's figures, when the line is the report and carries them. */
  readonly metrics?: LambdaReportMetrics;
}

export type { LambdaRecord, LambdaReportMetrics };
