/** The CI job a run belongs to, from the variables CI systems set; undefined outside CI. Pure. */
export function ciJobOf(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const v = (name: string) => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  if (v('GITHUB_RUN_ID')) {
    const attempt = v('GITHUB_RUN_ATTEMPT');
    const repo = v('GITHUB_REPOSITORY');
    return `GitHub Actions run ${v('GITHUB_RUN_ID')}${attempt ? ` attempt ${attempt}` : ''}${repo ? ` of ${repo}` : ''}${v('GITHUB_JOB') ? `, job ${v('GITHUB_JOB')}` : ''}`;
  }
  if (v('CI_JOB_ID')) return `GitLab job ${v('CI_JOB_ID')}${v('CI_PROJECT_PATH') ? ` of ${v('CI_PROJECT_PATH')}` : ''}`;
  if (v('CODEBUILD_BUILD_ID')) return `CodeBuild build ${v('CODEBUILD_BUILD_ID')}`;
  if (v('BUILDKITE_BUILD_ID'))
    return `Buildkite build ${v('BUILDKITE_BUILD_NUMBER') ?? v('BUILDKITE_BUILD_ID')}${v('BUILDKITE_PIPELINE_SLUG') ? ` of ${v('BUILDKITE_PIPELINE_SLUG')}` : ''}`;
  if (v('CIRCLE_BUILD_NUM'))
    return `CircleCI build ${v('CIRCLE_BUILD_NUM')}${v('CIRCLE_PROJECT_REPONAME') ? ` of ${v('CIRCLE_PROJECT_REPONAME')}` : ''}`;
  if (v('BUILD_ID')) return `build ${v('BUILD_ID')}${v('JOB_NAME') ? ` of ${v('JOB_NAME')}` : ''}${v('BUILD_URL') ? ` (${v('BUILD_URL')})` : ''}`;
  return undefined;
}
