// The editor draft of the triage console: what okpay prefills and what it keeps of the file.

import { describe, expect, it } from 'vitest';
import { draftText, writtenText } from '../../src/cli/triage-editor.js';

describe('triage editor drafts', () => {
  it('prefills comment lines and the suggestion, and reads back only what is not a comment', () => {
    const draft = draftText(["Customer's language: de", 'an empty text cancels'], 'Auszahlungen dauern 1–3 Werktage.');
    expect(draft).toBe("# Customer's language: de\n# an empty text cancels\n\nAuszahlungen dauern 1–3 Werktage.\n");
    expect(writtenText(draft)).toBe('Auszahlungen dauern 1–3 Werktage.');
  });

  it('treats a file left with only comments or blanks as a cancel', () => {
    expect(writtenText(draftText(['note on #3'], ''))).toBeNull();
    expect(writtenText('  \n\n')).toBeNull();
  });

  it('keeps lines that merely contain a # after other text', () => {
    expect(writtenText('Ticket #4 is linked.\n# dropped')).toBe('Ticket #4 is linked.');
  });
});
