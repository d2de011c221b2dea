import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

/** Real tmpfs mounts where this machine allows them (root, mounts permitted); `unmountAll` undoes them. */
export function createMounts() {
  const mounted = [];
  return {
    tryMount(dir, options) {
      mkdirSync(dir, { recursive: true });
      if (process.getuid?.() !== 0 || process.env.FAULT_NO_MOUNT === '1') return false;
      const result = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
      if (result.status === 0) mounted.push(dir);
      return result.status === 0;
    },
    remount: (dir, options) => spawnSync('mount', ['-o', `remount,${options}`, dir], { encoding: 'utf8' }).status === 0,
    unmountAll() {
      for (const dir of mounted.reverse()) spawnSync('umount', ['-l', dir]);
    },
  };
}
