/** The local stage after the admin handler became a streaming entry: it runs exactly as before. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;

describe('cnf-admin invoke --stage local', () => {
  beforeAll(() => {
    project = createTestProject('tasks');
  });

  afterAll(async () => {
    await project.cleanup();
  });

  it("shows the run's log and passes its exit code through", async () => {
    // when
    const echo = await project.cli(['invoke', 'echo', '--', '--count', '2']);
    const exit = await project.cli(['invoke', 'exit-code', '--', '--code', '5']);

    // then
    expect(echo.code).toBe(0);
    expect(echo.stdout).toMatch(/INFO  echo args=\{"count":2,"label":"none","loud":false,"tags":\[\]\}/);
    expect(exit.code).toBe(5);
  });
});
