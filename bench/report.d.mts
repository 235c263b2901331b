export interface Marks {
  readonly begin: string;
  readonly end: string;
}
export const SUMMARY: Marks;
export const TARGETS: Marks;
export interface MeasuredFigure {
  readonly figure: string;
  /** Its table row, one line of markdown. */
  readonly row: string;
  /** Its item among the targets not met (one line of markdown), or null when it is met. */
  readonly note: string | null;
}
export function updateReport(
  previous: string | null,
  run: { readonly title: string; readonly intro: string; readonly figures: readonly MeasuredFigure[] },
): string;
