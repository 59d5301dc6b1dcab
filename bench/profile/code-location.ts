/**
 * Where a profiled function lives, said the way a reader of this repository looks for it:
 * zenbench's own code by its TypeScript source (through the source maps tsc writes beside
 * dist/), everything else by its path or Node module name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * zenbench: ours; dependency: node_modules; node: Node's own JS; native: C++ and builtins;
 * v8: the VM's pseudo-frames.
 */
export type CodeKind = 'zenbench' | 'dependency' | 'node' | 'native' | 'v8' | 'other';

export interface CodeLocation {
  kind: CodeKind;
  /** e.g. servers/shared/work.ts:23, node:net:1611, or '' for a frame without a script. */
  where: string;
}

export class CodeLocator {
  private readonly sourceMaps = new Map<string, SourceMap | null>();

  constructor(private readonly projectRoot: string) {}

  locate(url: string, functionName: string, line: number, column: number): CodeLocation {
    if (url === '') {
      return { kind: functionName.startsWith('(') ? 'v8' : 'native', where: '' };
    }
    if (url.startsWith('node:')) return { kind: 'node', where: `${url}:${line}` };
    const path = scriptPath(url);
    if (path === null) return { kind: 'other', where: `${url}:${line}` };
    const fromRoot = relative(this.projectRoot, path);
    if (fromRoot.startsWith('..') || isAbsolute(fromRoot)) return { kind: 'other', where: `${path}:${line}` };
    if (fromRoot.split(sep).includes('node_modules')) return { kind: 'dependency', where: `${fromRoot}:${line}` };
    return { kind: 'zenbench', where: this.originalPosition(path, line, column) ?? `${fromRoot}:${line}` };
  }

  /** The TypeScript line a compiled line came from, when tsc left a source map. */
  private originalPosition(path: string, line: number, column: number): string | null {
    const map = this.sourceMapOf(path);
    if (map === null) return null;
    const entry = map.findEntry(line - 1, Math.max(0, column - 1));
    if (!('originalSource' in entry) || typeof entry.originalSource !== 'string') return null;
    const source = resolve(
      dirname(path),
      entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : entry.originalSource,
    );
    return `${relative(this.projectRoot, source)}:${entry.originalLine + 1}`;
  }

  private sourceMapOf(path: string): SourceMap | null {
    const cached = this.sourceMaps.get(path);
    if (cached !== undefined) return cached;
    let map: SourceMap | null = null;
    const mapPath = `${path}.map`;
    if (existsSync(mapPath)) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8')) as SourceMapPayload);
      } catch {
        // A broken map only costs the TypeScript position; the compiled one is still right.
        map = null;
      }
    }
    this.sourceMaps.set(path, map);
    return map;
  }
}

/** ES modules appear as file:// URLs, CommonJS ones as plain paths. */
function scriptPath(url: string): string | null {
  if (url.startsWith('file:')) {
    try {
      return fileURLToPath(url);
    } catch {
      return null;
    }
  }
  return isAbsolute(url) ? url : null;
}
