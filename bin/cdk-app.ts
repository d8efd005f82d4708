// The example app's CDK app, which cdk.json's "app" runs: npx cdk synth -c stage=prod
import { runCdkApp } from 'cnf-admin/construct';

process.exitCode = await runCdkApp({
  // What the notes app deploys on every AWS stage.
  props: () => ({
    releasePhase: { task: 'migrate' },
    schedules: [{ task: 'notes:purge', args: { olderThanDays: 365 }, schedule: 'rate(1 day)' }],
    secureParameters: ['DATABASE_URL'],
  }),
});
