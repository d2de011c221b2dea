// Reading a runs folder from the results-table scripts (detection-table.mjs, fine-pruning-table.mjs).
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** The parsed JSON file at `path`, or undefined when there is none (a cell that did not finish). */
export const readJsonIfAny = (path) => (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined);

/** The names of the folders directly under `path` ([] when `path` does not exist). */
export const subfolders = (path) =>
  existsSync(path)
    ? readdirSync(path, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
    : [];
