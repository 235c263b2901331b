// okpay completion bash|zsh|fish: a completion script built from the command tree itself, so it
// can never drift from the commands that exist.

import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { AppError } from '../../domain/errors.js';
import { action, examples, subcommand, type App } from '../command-builder.js';

interface Node {
  path: string[];
  subcommands: string[];
  options: string[];
  /** What the command's first argument is, when the store can list it. */
  argument: Kind | null;
}

// Values the store can list for completion, by `okpay __complete KIND`.
const KINDS = ['tickets', 'methods', 'currencies', 'transactions'] as const;
type Kind = (typeof KINDS)[number];

const OPTION_VALUES: Readonly<Record<string, Kind>> = {
  '--currency': 'currencies',
  '--to-currency': 'currencies',
  '--method': 'methods',
  '--tx': 'transactions',
};
const ARGUMENT_VALUES: Readonly<Record<string, Kind>> = { 'tx show': 'transactions', 'agent refund': 'transactions', 'withdraw methods remove': 'methods' };

function argumentKind(command: CommandUnknownOpts, path: readonly string[]): Kind | null {
  const own = ARGUMENT_VALUES[path.join(' ')];
  if (own) return own;
  return path[0] === 'ticket' && command.registeredArguments[0]?.name() === 'number' ? 'tickets' : null;
}

function walk(command: CommandUnknownOpts, path: string[], out: Node[]): void {
  const visible = command.commands.filter((c) => c.name() !== 'help' && !c.name().startsWith('__'));
  out.push({
    path,
    subcommands: visible.map((c) => c.name()),
    options: command.options.map((o) => o.long ?? o.short ?? '').filter(Boolean),
    argument: argumentKind(command, path),
  });
  for (const child of visible) walk(child, [...path, child.name()], out);
}

export function registerCompletionCommand(program: Command, app: App): void {
  const command = subcommand(program, 'completion', 'print a shell completion script').argument('<shell>', 'bash, zsh or fish');
  examples(command, [
    'source <(okpay completion bash)',
    'okpay completion zsh > "${fpath[1]}/_okpay"',
    'okpay completion fish > ~/.config/fish/completions/okpay.fish',
  ]);
  action(app, command, async (ctx, _o, [shell]) => {
    const nodes: Node[] = [];
    walk(program, [], nodes);
    const globals = program.options
      .map((o) => o.long ?? '')
      .filter(Boolean)
      .concat('--help');
    const scripts: Record<string, () => string> = {
      bash: () => bashScript(nodes, globals),
      zsh: () => zshScript(nodes, globals),
      fish: () => fishScript(nodes, globals),
    };
    const make = Object.hasOwn(scripts, shell ?? '') ? scripts[shell ?? ''] : undefined;
    if (!make) throw new AppError('USAGE', `no completion for "${shell}"`, { hint: 'use bash, zsh or fish' });
    ctx.io.writeOut(make());
  });
  registerCompleteValues(program, app);
}

const MAX_VALUES = 100;

/** Where each kind's values come from: okpay's own JSON output, so completion follows the commands' rules (who sees what). */
const SOURCES: Readonly<Record<Exclude<Kind, 'currencies'>, { argv: string[]; pick(document: Record<string, unknown>): unknown[] }>> = {
  tickets: { argv: ['ticket', 'list', '--json', 'number', '--limit', String(MAX_VALUES)], pick: (d) => listOf(d['tickets']).map((t) => t['number']) },
  methods: { argv: ['withdraw', 'methods', 'list', '--json', 'id'], pick: (d) => listOf(d['methods']).map((m) => m['id']) },
  transactions: { argv: ['history', '--json', 'id', '--limit', String(MAX_VALUES)], pick: (d) => listOf(d['transactions']).map((t) => t['id']) },
};

function listOf(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null) : [];
}

/**
 * `okpay __complete KIND`, queried by the completion scripts: one value per line. It never prompts
 * (the commands it runs have no terminal) and never fails: signed out or anything else, it prints nothing.
 */
function registerCompleteValues(program: Command, app: App): void {
  const command = new Command('__complete').argument('<kind>', KINDS.join(', ')).copyInheritedSettings(program);
  program.addCommand(command, { hidden: true });
  action(app, command, async (ctx, _o, [kind]) => {
    if (!(KINDS as readonly string[]).includes(kind ?? ''))
      throw new AppError('USAGE', `nothing to complete for "${kind}"`, { hint: `use ${KINDS.join(', ')}` });
    let values: unknown[] = [];
    if (kind === 'currencies') values = ctx.ref.currencies.map((c) => c.code);
    else {
      const source = SOURCES[kind as Exclude<Kind, 'currencies'>];
      const result = await app.capture(['--data-dir', ctx.dataDir, ...source.argv]);
      if (result.code === 0) values = source.pick(JSON.parse(result.stdout) as Record<string, unknown>);
    }
    const text = values.slice(0, MAX_VALUES).map(String).join('\n');
    ctx.io.writeOut(text === '' ? '' : `${text}\n`);
  });
}

/** The words offered after a command: its subcommands, its options and the global options, each once. */
function wordsOf(node: Node, globals: readonly string[]): string {
  return [...new Set([...node.subcommands, ...node.options, ...globals])].join(' ');
}

function caseArms(nodes: readonly Node[], globals: readonly string[], indent: string): string {
  return nodes.map((n) => `${indent}"${n.path.join(' ')}") words_here="${wordsOf(n, globals)}"${n.argument ? ` kind_here="${n.argument}"` : ''} ;;`).join('\n');
}

/** Shell case arms: an option that takes a listed value → the kind to ask `okpay __complete` for. */
function optionArms(indent: string): string {
  return Object.entries(OPTION_VALUES)
    .map(([option, kind]) => `${indent}${option}) kind="${kind}" ;;`)
    .join('\n');
}

function knownPaths(nodes: readonly Node[]): string {
  return nodes
    .filter((n) => n.path.length > 0)
    .map((n) => `"${n.path.join(' ')}"`)
    .join(' ');
}

function bashScript(nodes: readonly Node[], globals: readonly string[]): string {
  return `# okpay bash completion: source <(okpay completion bash)
_okpay() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" words_here="" kind_here="" kind="" w candidate known
  local -a paths=(${knownPaths(nodes)})
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    candidate="\${path:+$path }$w"
    for known in "\${paths[@]}"; do [[ "$known" == "$candidate" ]] && path="$candidate" && break; done
  done
  case "$prev" in
${optionArms('    ')}
  esac
  case "$path" in
${caseArms(nodes, globals, '    ')}
  esac
  [[ -z "$kind" && -n "$kind_here" && "$cur" != -* ]] && kind="$kind_here"
  if [[ -n "$kind" ]]; then
    COMPREPLY=($(compgen -W "$("\${COMP_WORDS[0]}" __complete "$kind" 2>/dev/null)" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$words_here" -- "$cur"))
  fi
}
complete -F _okpay okpay
`;
}

function zshScript(nodes: readonly Node[], globals: readonly string[]): string {
  return `#compdef okpay
# okpay zsh completion: okpay completion zsh > "\${fpath[1]}/_okpay"
_okpay() {
  local path="" words_here="" kind_here="" kind="" w candidate known cur="\${words[CURRENT]}"
  local -a paths=(${knownPaths(nodes)})
  for w in "\${(@)words[2,CURRENT-1]}"; do
    [[ "$w" == -* ]] && continue
    candidate="\${path:+$path }$w"
    for known in "\${paths[@]}"; do [[ "$known" == "$candidate" ]] && path="$candidate" && break; done
  done
  case "\${words[CURRENT-1]}" in
${optionArms('    ')}
  esac
  case "$path" in
${caseArms(nodes, globals, '    ')}
  esac
  [[ -z "$kind" && -n "$kind_here" && "$cur" != -* ]] && kind="$kind_here"
  if [[ -n "$kind" ]]; then
    compadd -- \${(f)"$("\${words[1]}" __complete "$kind" 2>/dev/null)"}
  else
    compadd -- \${=words_here}
  fi
}
compdef _okpay okpay
`;
}

function fishCondition(path: readonly string[]): string {
  return path.length === 0 ? '__fish_use_subcommand' : path.map((word) => `__fish_seen_subcommand_from ${word}`).join('; and ');
}

function fishScript(nodes: readonly Node[], globals: readonly string[]): string {
  const lines = ['# okpay fish completion: okpay completion fish > ~/.config/fish/completions/okpay.fish', 'complete -c okpay -f'];
  for (const g of globals) lines.push(`complete -c okpay -l ${g.replace(/^--/, '')}`);
  for (const [option, kind] of Object.entries(OPTION_VALUES))
    lines.push(`complete -c okpay -l ${option.replace(/^--/, '')} -x -a '(okpay __complete ${kind} 2>/dev/null)'`);
  for (const node of nodes) {
    const condition = fishCondition(node.path);
    if (node.subcommands.length > 0) lines.push(`complete -c okpay -n '${condition}' -a '${node.subcommands.join(' ')}'`);
    if (node.argument) lines.push(`complete -c okpay -n '${condition}' -a '(okpay __complete ${node.argument} 2>/dev/null)'`);
    const own = node.options.filter((option) => !globals.includes(option) && !(option in OPTION_VALUES));
    for (const option of own) if (node.path.length > 0) lines.push(`complete -c okpay -n '${condition}' -l ${option.replace(/^--/, '')}`);
  }
  return `${lines.join('\n')}\n`;
}
