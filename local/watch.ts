// Recompiles the scopes file when it changes; a bad edit keeps the running model and reports the diagnostics.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { CompiledModel } from '../policies/model';

export interface WatchOptions {
  /** Compiles the file (throws on a bad file). */
  compile: (file: string) => CompiledModel | Promise<CompiledModel>;
  onModel: (model: CompiledModel) => void;
  onError: (error: unknown) => void;
  /** Editors write in bursts; wait this long after the last event. */
  debounceMs?: number;
}

export interface ScopesWatcher {
  close(): void;
}

/**
 * Watches the file's folder rather than the file: editors often save by renaming a new file over the old one,
 * which ends a watch on the file itself.
 */
export function watchScopesFile(file: string, options: WatchOptions): ScopesWatcher {
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const recompile = (): void => {
    // Chain compilations so a slow one never overtakes a newer edit.
    running = running.then(async () => {
      try {
        options.onModel(await options.compile(file));
      } catch (error) {
        options.onError(error);
      }
    });
  };
  const watcher: FSWatcher = watch(dirname(file), (_event, changed) => {
    if (changed !== null && changed !== name) return;
    clearTimeout(timer);
    timer = setTimeout(recompile, options.debounceMs ?? 100);
  });
  watcher.on('error', options.onError);
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
