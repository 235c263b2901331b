// What only a terminal (or help) needs: table layout, wrapping and local times. Loaded by
// loadTerminalKit() before a command runs on a terminal: their Unicode tables and time-zone code
// would cost every piped or scripted command a few milliseconds at start.

export { renderTable } from './table.js';
export { humanTime } from './time.js';
export { wrapText } from './wrap.js';
