// okpay completion bash|zsh|fish: a completion script built from the command tree itself, so it
// can never drift from the commands that exist.

import type { Command } from 'commander';
import { AppError } from '../../domain/errors.js';
import { action, examples, subcommand, type App } from '../kit.js';

interface Node {
  path: string[];
  subcommands: string[];
  options: string[];
}

function walk(command: Command, path: string[], out: Node[]): void {
  const visible = command.commands.filter((c) => c.name() !== 'help');
  out.push({ path, subcommands: visible.map((c) => c.name()), options: command.options.map((o) => o.long ?? o.short ?? '').filter(Boolean) });
  for (const child of visible) walk(child, [...path, child.name()], out);
}

export function registerCompletionCommand(program: Command, app: App): void {
  const command = subcommand(program, 'completion', 'print a shell completion script').argument('<shell>', 'bash, zsh or fish');
  examples(command, ['source <(okpay completion bash)', 'okpay completion zsh > "${fpath[1]}/_okpay"', 'okpay completion fish > ~/.config/fish/completions/okpay.fish']);
  action(app, command, async (ctx, _o, [shell]) => {
    const nodes: Node[] = [];
    walk(program, [], nodes);
    const globals = program.options.map((o) => o.long ?? '').filter(Boolean).concat('--help');
    const scripts: Record<string, () => string> = { bash: () => bashScript(nodes, globals), zsh: () => zshScript(nodes, globals), fish: () => fishScript(nodes, globals) };
    const make = Object.hasOwn(scripts, shell ?? '') ? scripts[shell ?? ''] : undefined;
    if (!make) throw new AppError('USAGE', `no completion for "${shell}"`, { hint: 'use bash, zsh or fish' });
    ctx.io.writeOut(make());
  });
}

function caseArms(nodes: readonly Node[], globals: readonly string[], indent: string): string {
  return nodes
    .map((n) => `${indent}"${n.path.join(' ')}") words_here="${[...n.subcommands, ...n.options, ...globals].join(' ')}" ;;`)
    .join('\n');
}

function knownPaths(nodes: readonly Node[]): string {
  return nodes.filter((n) => n.path.length > 0).map((n) => `"${n.path.join(' ')}"`).join(' ');
}

function bashScript(nodes: readonly Node[], globals: readonly string[]): string {
  return `# okpay bash completion: source <(okpay completion bash)
_okpay() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" words_here="" w candidate known
  local -a paths=(${knownPaths(nodes)})
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    candidate="\${path:+$path }$w"
    for known in "\${paths[@]}"; do [[ "$known" == "$candidate" ]] && path="$candidate" && break; done
  done
  case "$path" in
${caseArms(nodes, globals, '    ')}
  esac
  COMPREPLY=($(compgen -W "$words_here" -- "$cur"))
}
complete -F _okpay okpay
`;
}

function zshScript(nodes: readonly Node[], globals: readonly string[]): string {
  return `#compdef okpay
# okpay zsh completion: okpay completion zsh > "\${fpath[1]}/_okpay"
_okpay() {
  local path="" words_here="" w candidate known
  local -a paths=(${knownPaths(nodes)})
  for w in "\${(@)words[2,CURRENT-1]}"; do
    [[ "$w" == -* ]] && continue
    candidate="\${path:+$path }$w"
    for known in "\${paths[@]}"; do [[ "$known" == "$candidate" ]] && path="$candidate" && break; done
  done
  case "$path" in
${caseArms(nodes, globals, '    ')}
  esac
  compadd -- \${=words_here}
}
compdef _okpay okpay
`;
}

function fishScript(nodes: readonly Node[], globals: readonly string[]): string {
  const lines = ['# okpay fish completion: okpay completion fish > ~/.config/fish/completions/okpay.fish', 'complete -c okpay -f'];
  for (const g of globals) lines.push(`complete -c okpay -l ${g.replace(/^--/, '')}`);
  for (const node of nodes) {
    const condition = node.path.length === 0 ? '__fish_use_subcommand' : `__fish_seen_subcommand_from ${node.path[node.path.length - 1]}`;
    if (node.subcommands.length > 0) lines.push(`complete -c okpay -n '${condition}' -a '${node.subcommands.join(' ')}'`);
    for (const option of node.options) if (node.path.length > 0) lines.push(`complete -c okpay -n '${condition}' -l ${option.replace(/^--/, '')}`);
  }
  return `${lines.join('\n')}\n`;
}
