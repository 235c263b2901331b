// Terminal charts for `agent stats`: a sparkline per day series and horizontal bars for a
// distribution, fitted to the terminal's width (several days share a mark when the period is
// longer than the line). Pure text; the caller prints it.

const MARKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
const MIN_WIDTH = 10;

/** How many values share one column so that `count` values fit in `width` columns. */
export function valuesPerColumn(count: number, width: number): number {
  return Math.max(1, Math.ceil(count / Math.max(MIN_WIDTH, width)));
}

/**
 * Neighbouring values merged so the series fits: counts are summed; rates (`weights` given) are
 * averaged by their weights (a day without ratings does not pull the mean down). Null: no value.
 */
export function fitSeries(values: readonly (number | null)[], width: number, weights?: readonly number[]): (number | null)[] {
  const size = valuesPerColumn(values.length, width);
  const fitted: (number | null)[] = [];
  for (let start = 0; start < values.length; start += size) {
    const group = values.slice(start, start + size).map((value, i) => ({ value, weight: weights?.[start + i] ?? 1 }));
    const known = group.filter((entry): entry is { value: number; weight: number } => entry.value !== null && entry.weight > 0);
    const weight = known.reduce((sum, entry) => sum + entry.weight, 0);
    if (known.length === 0) fitted.push(null);
    else if (weights === undefined) fitted.push(known.reduce((sum, entry) => sum + entry.value, 0));
    else fitted.push(known.reduce((sum, entry) => sum + entry.value * entry.weight, 0) / weight);
  }
  return fitted;
}

/** One mark per value, scaled to `max` (default: the largest value); null is a blank, zero the lowest mark. */
export function sparkline(values: readonly (number | null)[], max?: number): string {
  const top = max ?? Math.max(0, ...values.map((value) => value ?? 0));
  return values
    .map((value) => {
      if (value === null) return ' ';
      if (top <= 0 || value <= 0) return MARKS[0];
      return MARKS[Math.min(MARKS.length - 1, Math.round((value / top) * (MARKS.length - 1)))];
    })
    .join('');
}

/** Horizontal bars: "label  ████████ 12", the longest bar filling what the width leaves. */
export function barLines(rows: readonly { label: string; value: number }[], width: number): string[] {
  const labelWidth = Math.max(0, ...rows.map((row) => row.label.length));
  const numberWidth = Math.max(1, ...rows.map((row) => String(row.value).length));
  const room = Math.max(MIN_WIDTH, width - labelWidth - numberWidth - 4);
  const top = Math.max(0, ...rows.map((row) => row.value));
  return rows.map((row) => {
    const length = top === 0 ? 0 : Math.round((row.value / top) * room);
    return `${row.label.padEnd(labelWidth)}  ${'█'.repeat(length)}${length > 0 ? ' ' : ''}${String(row.value).padStart(numberWidth)}`;
  });
}
