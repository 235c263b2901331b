// Identity documents for the identity check (KYC). We keep only the masked number: the full
// number is checked for its shape here and then not stored.

import { AppError } from './errors.js';
import { printable } from './money.js';
import { maskAccountNumber } from './validate-bank.js';

const DOCUMENT_TYPES = ['passport', 'id-card', 'driving-licence'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export interface CheckedDocument {
  readonly type: DocumentType;
  readonly masked: string;
}

const DOCUMENT_TEXT_MAX_CHARACTERS = 40;
const DOCUMENT_TYPE_HINT = `use ${DOCUMENT_TYPES.join(', ')}`;

const DOCUMENT_RULES: Readonly<Record<DocumentType, { readonly pattern: RegExp; readonly rule: string }>> = {
  passport: { pattern: /^[A-Z0-9]{6,9}$/, rule: 'a passport number has 6 to 9 letters and digits' },
  'id-card': { pattern: /^[A-Z0-9]{5,20}$/, rule: 'an ID card number has 5 to 20 letters and digits' },
  'driving-licence': {
    pattern: /^[A-Z0-9][A-Z0-9-]{3,18}[A-Z0-9]$/,
    rule: 'a driving licence number has 5 to 20 letters, digits and inner hyphens',
  },
};

// Chinese resident identity card (GB 11643): 17 digits and an ISO 7064 MOD 11-2 check character.
const RESIDENT_ID = /^[0-9]{17}[0-9X]$/;
const RESIDENT_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const RESIDENT_ID_CHECK_CHARACTERS = '10X98765432';

/**
 * Checks a document type and number. Letter case and spaces in the number are ignored; an
 * 18-character all-digit ID card number (optionally ending in X) must carry a valid Chinese
 * resident ID check character. "driving-license" is accepted as the US spelling.
 */
export function validateDocument(type: string, number: string): CheckedDocument {
  const documentType = parseDocumentType(type);
  const compact = number.trim().replace(/ /g, '');
  const shown = printable(number.trim());
  if (compact === '') throw new AppError('INVALID_DOCUMENT', 'the document number is empty', { hint: DOCUMENT_RULES[documentType].rule });
  if (compact.length > DOCUMENT_TEXT_MAX_CHARACTERS || !/^[A-Za-z0-9-]+$/.test(compact)) {
    throw new AppError('INVALID_DOCUMENT', `"${shown}" is not a ${documentType} number: use letters A-Z and digits 0-9 only`, {
      hint: DOCUMENT_RULES[documentType].rule,
    });
  }
  const normalized = compact.toUpperCase();
  if (!DOCUMENT_RULES[documentType].pattern.test(normalized)) {
    throw new AppError('INVALID_DOCUMENT', `"${shown}" is not a ${documentType} number: ${DOCUMENT_RULES[documentType].rule}`);
  }
  if (documentType === 'id-card' && RESIDENT_ID.test(normalized) && residentIdCheckCharacter(normalized) !== normalized[17]) {
    throw new AppError('INVALID_DOCUMENT', `"${shown}" is not a valid resident ID number: its last character does not match the check`, {
      hint: 'look for a typo',
    });
  }
  return { type: documentType, masked: maskAccountNumber(normalized) };
}

function parseDocumentType(text: string): DocumentType {
  const type = text.trim().toLowerCase();
  if (type === 'driving-license') return 'driving-licence';
  const found = DOCUMENT_TYPES.find((candidate) => candidate === type);
  if (found === undefined) throw new AppError('INVALID_DOCUMENT', `"${printable(text.trim())}" is not a document type we accept`, { hint: DOCUMENT_TYPE_HINT });
  return found;
}

function residentIdCheckCharacter(number: string): string {
  const sum = RESIDENT_ID_WEIGHTS.reduce((total, weight, index) => total + weight * Number(number[index]), 0);
  return RESIDENT_ID_CHECK_CHARACTERS[sum % 11] ?? '';
}
