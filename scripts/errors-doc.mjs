// Writes docs/ERRORS.md from the table of error codes (src/domain/errors.ts), after a build.
import { writeFileSync } from 'node:fs';
import { errorsMarkdown } from '../dist/cli/help.js';

writeFileSync(new URL('../docs/ERRORS.md', import.meta.url), errorsMarkdown());
