// Loaded with `node --import` by the fault-injection suite when it cannot make a real full or read-only
// file system (a small tmpfs needs root and a machine that allows mounts). It makes the file system under
// EHR_FAULT_ROOT behave as full (ENOSPC) or read-only (EROFS, EHR_FAULT_ERRNO) from the first write whose
// path matches EHR_FAULT_AT on: every later write under the root fails as a real full disk would, with
// Node's own error shape (code, syscall, path). Reads, renames and removals still work, as on a full disk.
// Forked sweep workers inherit it through process.execArgv.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { resolve } from 'node:path';

const root = process.env.EHR_FAULT_ROOT ? resolve(process.env.EHR_FAULT_ROOT) : undefined;
const at = process.env.EHR_FAULT_AT ? new RegExp(process.env.EHR_FAULT_AT) : undefined;
const errno = process.env.EHR_FAULT_ERRNO || 'ENOSPC';
const text = { ENOSPC: [-28, 'no space left on device'], EROFS: [-30, 'read-only file system'], EACCES: [-13, 'permission denied'] }[errno];

if (root && at && text) {
  let triggered = false;
  const asPath = (p) => (typeof p === 'string' ? p : p instanceof URL ? p.pathname : Buffer.isBuffer(p) ? p.toString() : undefined);
  const check = (syscall, target) => {
    const path = asPath(target);
    if (path === undefined) return;
    const abs = resolve(path);
    if (!triggered && at.test(abs)) {
      triggered = true;
      process.stderr.write(`[fault-injection] ${errno} from ${syscall} ${abs} on\n`);
    }
    if (triggered && (abs === root || abs.startsWith(root + '/'))) {
      const error = new Error(`${errno}: ${text[1]}, ${syscall} '${abs}'`);
      Object.assign(error, { errno: text[0], code: errno, syscall, path: abs });
      throw error;
    }
  };
  const writes = (flags) =>
    flags !== undefined && flags !== null && !(typeof flags === 'string' && /^r$|^rs$|^sr$/.test(flags)) && flags !== 0;
  const p = fs.promises;
  const wrapAsync = (object, name, syscall, pick = (args) => args[0], when = () => true) => {
    const original = object[name];
    object[name] = async function (...args) {
      if (when(args)) check(syscall, pick(args));
      return original.apply(this, args);
    };
  };
  const wrapSync = (object, name, syscall, pick = (args) => args[0], when = () => true) => {
    const original = object[name];
    object[name] = function (...args) {
      if (when(args)) check(syscall, pick(args));
      return original.apply(this, args);
    };
  };
  const wrapCallback = (object, name, syscall, pick = (args) => args[0], when = () => true) => {
    const original = object[name];
    object[name] = function (...args) {
      if (when(args)) {
        try {
          check(syscall, pick(args));
        } catch (error) {
          const callback = args[args.length - 1];
          if (typeof callback === 'function') return void process.nextTick(callback, error);
          throw error;
        }
      }
      return original.apply(this, args);
    };
  };
  wrapAsync(p, 'open', 'open', undefined, (args) => writes(args[1]));
  wrapAsync(p, 'writeFile', 'open');
  wrapAsync(p, 'appendFile', 'open');
  wrapAsync(p, 'mkdir', 'mkdir');
  wrapAsync(p, 'mkdtemp', 'mkdtemp');
  wrapAsync(p, 'copyFile', 'copyfile', (args) => args[1]);
  wrapAsync(p, 'link', 'link', (args) => args[1]);
  wrapSync(fs, 'openSync', 'open', undefined, (args) => writes(args[1]));
  wrapSync(fs, 'writeFileSync', 'open');
  wrapSync(fs, 'appendFileSync', 'open');
  wrapSync(fs, 'mkdirSync', 'mkdir');
  wrapSync(fs, 'copyFileSync', 'copyfile', (args) => args[1]);
  wrapSync(fs, 'createWriteStream', 'open');
  wrapCallback(fs, 'open', 'open', undefined, (args) => typeof args[1] !== 'function' && writes(args[1]));
  wrapCallback(fs, 'writeFile', 'open');
  wrapCallback(fs, 'mkdir', 'mkdir');
  syncBuiltinESMExports();
}
