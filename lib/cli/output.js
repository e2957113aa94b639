'use strict';
// Terminal output for the CLI: aligned tables, colour only on a TTY (NO_COLOR
// and FORCE_COLOR respected), JSON for scripts.

const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], magenta: [35, 39], cyan: [36, 39] };
const ANSI = /\x1b\[[0-9;]*m/g;

function colorEnabled(stream, env = process.env) {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream && stream.isTTY) && env.TERM !== 'dumb';
}

function palette(enabled) {
  const p = {};
  for (const [name, [open, close]] of Object.entries(CODES)) {
    p[name] = enabled ? (s) => `\x1b[${open}m${s}\x1b[${close}m` : (s) => String(s);
  }
  return p;
}

const visibleLength = (s) => String(s).replace(ANSI, '').length;

/**
 * Rows of cells -> lines with every column padded to its widest cell.
 * `columns` = [{ title, align?: 'right' }]; the last column is not padded.
 */
function table(columns, rows, c = palette(false)) {
  const widths = columns.map((col, i) => Math.max(visibleLength(col.title), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells, style = (s) => s) =>
    cells
      .map((cell, i) => {
        const text = String(cell ?? '');
        const pad = ' '.repeat(widths[i] - visibleLength(text));
        if (i === cells.length - 1 && columns[i].align !== 'right') return style(text);
        return columns[i].align === 'right' ? pad + style(text) : style(text) + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((col) => col.title), c.bold), ...rows.map((r) => line(r))].join('\n');
}

const OUTCOME_STYLE = {
  processed: 'green',
  ignored: 'dim',
  duplicate: 'cyan',
  stale: 'cyan',
  in_progress: 'yellow',
  rejected: 'red',
  too_large: 'red',
  failed: 'red',
  dead_lettered: 'magenta',
  completed: 'green',
  processing: 'yellow',
  dead_letter: 'magenta',
};

function styleOutcome(outcome, c) {
  const style = OUTCOME_STYLE[outcome];
  return style ? c[style](outcome) : String(outcome);
}

/** ISO-ish local-free time: 2026-11-23 11:48:13 (UTC). */
function formatTime(ms) {
  if (ms === null || ms === undefined) return '';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function formatDate(seconds) {
  if (seconds === null || seconds === undefined) return '';
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

module.exports = { colorEnabled, palette, table, styleOutcome, formatTime, formatDate, visibleLength };
