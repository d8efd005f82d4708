/**
 * aws-cdk-lib's built-in CloudFormation validation, which every synth runs
 * unless `CDK_VALIDATION=false`: its engine (WebAssembly) takes two to four
 * processor-seconds to start in each process that synthesises, and some 0.4 s
 * per template. The suite's synths run it off (vitest.config.ts), but for
 * the three that check what a user's synth does: the construct's every
 * part (test/construct/cdk-validation.test.ts), `npx cdk synth` of the
 * example app (test/construct/cdk-synth.test.ts) and of the adopted app
 * (test/e2e/package-adoption.test.ts).
 */

/** The environment of a synth that skips the validation. */
const WITHOUT_CDK_VALIDATION = { CDK_VALIDATION: 'false' } as const;

/** `env` without the variable that turns the validation off: a synth in it validates, as a user's does. */
function withCdkValidation(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { CDK_VALIDATION: _off, ...rest } = env;
  return rest;
}

export { WITHOUT_CDK_VALIDATION, withCdkValidation };
