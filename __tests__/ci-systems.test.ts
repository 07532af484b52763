// The CI table (src/ci): what each CI system defines, as the front ends read it. The agent gets
// only what these give it: its temp base and the variables it keeps.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anyCiTempFolder, ciTempFolder, keptVariables } from '../src/ci/agent-environment.ts';
import { AZURE_PIPELINES, CI_SYSTEMS, ciWith, GITHUB_ACTIONS, GITLAB, JENKINS, NO_CI } from '../src/ci/systems.ts';

describe('the CI systems', () => {
  it('each detects its own job, and the first that does is the one a process runs in', () => {
    const detected = (env: Record<string, string>) => CI_SYSTEMS.find((system) => system.detect(env));
    assert.equal(detected({ GITHUB_ACTIONS: 'true' }), GITHUB_ACTIONS);
    assert.equal(detected({ TF_BUILD: 'True' }), AZURE_PIPELINES);
    assert.equal(detected({ JENKINS_URL: 'https://ci.example.test/' }), JENKINS);
    assert.equal(detected({ GITLAB_CI: 'true' }), GITLAB);
    assert.equal(detected({ GITHUB_ACTIONS: 'false', GITLAB_CI: 'false' }), NO_CI);
  });

  it("a feature comes from the first CI that defines it: Azure's issues under GitHub too, no masking in Jenkins or GitLab", () => {
    assert.equal(ciWith({ GITHUB_ACTIONS: 'true', TF_BUILD: 'True' }, 'maskLine'), GITHUB_ACTIONS.maskLine);
    assert.equal(ciWith({ GITHUB_ACTIONS: 'true', TF_BUILD: 'True' }, 'issueLine'), AZURE_PIPELINES.issueLine);
    assert.equal(ciWith({ JENKINS_URL: 'x', GITLAB_CI: 'true' }, 'maskLine'), undefined);
  });

  it('inputs and saved values are named as each CI hands them over', () => {
    assert.equal(GITHUB_ACTIONS.inputVariable('server-url'), 'INPUT_SERVER-URL');
    assert.equal(AZURE_PIPELINES.inputVariable('serverUrl'), 'INPUT_SERVERURL');
    assert.equal(AZURE_PIPELINES.inputVariable('a.b c'), 'INPUT_A_B_C');
    assert.equal(GITHUB_ACTIONS.savedVariable('agent_pid'), 'STATE_agent_pid');
    assert.equal(AZURE_PIPELINES.savedVariable('agent_pid'), 'VSTS_TASKVARIABLE_AGENT_PID');
  });
});

describe("the agent's environment", () => {
  it("keeps every CI's process-tracking variables and what Node and Windows read at start-up, nothing else", () => {
    const env = {
      RUNNER_TRACKING_ID: 'github_1',
      VSTS_PROCESS_LOOKUP_ID: 'vsts_2',
      BUILD_ID: '3',
      JENKINS_NODE_COOKIE: 'cookie',
      NODE_EXTRA_CA_CERTS: '/ca.pem',
      SystemRoot: 'C:\\Windows',
      CX_PASSWORD: 'the-secret',
      HTTPS_PROXY: 'http://user:pass@proxy:3128',
      PATH: '/usr/bin',
      RUNNER_TEMP: '/tmp/runner',
    };
    assert.deepEqual(keptVariables(env), {
      RUNNER_TRACKING_ID: 'github_1',
      VSTS_PROCESS_LOOKUP_ID: 'vsts_2',
      BUILD_ID: '3',
      JENKINS_NODE_COOKIE: 'cookie',
      NODE_EXTRA_CA_CERTS: '/ca.pem',
      SystemRoot: 'C:\\Windows',
    });
  });

  it("its temp base is the CI's temp folder, never the host's folder mounted in a job container", () => {
    assert.equal(ciTempFolder(GITHUB_ACTIONS, { RUNNER_TEMP: '/home/runner/work/_temp' }), '/home/runner/work/_temp');
    assert.equal(ciTempFolder(GITHUB_ACTIONS, { RUNNER_TEMP: '/__w/_temp' }), undefined);
    assert.equal(ciTempFolder(AZURE_PIPELINES, { AGENT_TEMPDIRECTORY: '/__w/_temp' }), undefined);
    assert.equal(ciTempFolder(JENKINS, { RUNNER_TEMP: '/tmp/x' }), undefined);
    assert.equal(anyCiTempFolder({ AGENT_TEMPDIRECTORY: '/agent/_temp' }), '/agent/_temp');
    assert.equal(anyCiTempFolder({ RUNNER_TEMP: '/runner/_temp', AGENT_TEMPDIRECTORY: '/agent/_temp' }), '/runner/_temp');
    assert.equal(anyCiTempFolder({}), undefined);
    for (const system of [JENKINS, GITLAB, NO_CI]) assert.equal(system.isContainerTemp('/__w/_temp'), false);
  });
});
