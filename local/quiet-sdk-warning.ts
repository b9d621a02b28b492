// Imported first by the local commands. The AWS SDK prints a seven-line notice under Node 20 on every run: its
// releases after early 2027 will need Node 22. The versions the lockfile pins run on Node 20 (Lambda runs
// Node 22), so the notice only buries the commands' own output. An explicit setting of the variable wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
