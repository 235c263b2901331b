// Writes the man page dist/man/okpay.1 from the commander tree of the built CLI (dist/cli), so it
// lists exactly the commands and options that exist; package.json's "man" installs it.
// Exit codes and environment variables come from the same text as `okpay help exit-codes|environment`.
import { mkdir, writeFile } from 'node:fs/promises';
import { buildProgram } from '../dist/cli/main.js';
import { helpTopics } from '../dist/cli/help.js';
import { bufferIO } from '../dist/cli/io.js';
import { PACKAGE_VERSION } from '../dist/cli/paths.js';

/** Text as roff reads it: backslashes and hyphens escaped, no line starting with a control character. */
const roff = (text) =>
  text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');

function optionEntries(command) {
  return command.options.filter((o) => !o.hidden).flatMap((o) => ['.TP', `.B ${roff(o.flags)}`, roff(o.description)]);
}

function commandEntries(command, words) {
  const children = command.commands.filter((c) => !c._hidden && c.name() !== 'help');
  const own =
    words.length === 0 ? [] : [`.SS "${roff(['okpay', ...words].join(' '))} ${roff(command.usage())}"`, roff(command.description()), ...optionEntries(command)];
  return [...own, ...children.flatMap((child) => commandEntries(child, [...words, child.name()]))];
}

/** A help topic's text without its title line, as indented preformatted lines. */
function topicSection(title, text) {
  const body = text.split('\n').slice(1).join('\n').trim();
  return [`.SH ${title}`, '.nf', roff(body), '.fi'];
}

const program = await buildProgram({ io: bufferIO(), env: {} });
const topics = helpTopics();
const page = [
  `.TH OKPAY 1 "" "okpay ${PACKAGE_VERSION}" "User Commands"`,
  '.SH NAME',
  `okpay \\- ${roff(program.description())}`,
  '.SH SYNOPSIS',
  '.B okpay',
  '[\\fIglobal options\\fR] \\fIcommand\\fR [\\fIoptions\\fR] [\\fIarguments\\fR]',
  '.SH DESCRIPTION',
  'Every command prints human tables on a terminal and one JSON document with \\fB\\-\\-json\\fR.',
  "Run \\fBokpay help\\fR \\fIcommand\\fR for a command's help and examples, and",
  '\\fBokpay help formatting\\fR for \\fB\\-\\-json\\fR \\fIfields\\fR, \\fB\\-\\-jq\\fR and \\fB\\-\\-template\\fR.',
  '.SH GLOBAL OPTIONS',
  ...optionEntries(program),
  '.SH COMMANDS',
  ...commandEntries(program, []),
  ...topicSection('EXIT STATUS', topics.get('exit-codes').text()),
  ...topicSection('ENVIRONMENT', topics.get('environment').text()),
  '.SH SEE ALSO',
  '\\fBokpay help formatting\\fR, \\fBokpay completion\\fR \\fIbash\\fR|\\fIzsh\\fR|\\fIfish\\fR',
  '',
];
await mkdir('dist/man', { recursive: true });
await writeFile('dist/man/okpay.1', page.join('\n'));
