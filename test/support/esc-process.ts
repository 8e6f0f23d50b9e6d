import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** Esc's real entry point (src/main.ts) in a child process, as `npm start` runs it. */
export interface EscProcess {
  child: ChildProcess;
  /** Everything it printed (JSON log lines and the banner). */
  output: string[];
  /** The base URL from its start-up banner. */
  url: string;
  /** Resolves with the exit code (null after a signal) once the process has ended. */
  exited: Promise<number | null>;
}

/** Starts src/main.ts with `env` on top of a minimal environment; resolves once it serves. */
export async function startEscProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<EscProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`Esc did not start within ${timeoutMs} ms:\n${output.join('')}`)), timeoutMs);
    const onData = (b: Buffer) => {
      output.push(b.toString('utf8'));
      const m = /Esc is running at (\S+)/.exec(output.join(''));
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`Esc exited (${code}) before serving:\n${output.join('')}`)));
  });
  return { child, output, url, exited };
}

/** The JSON log lines an Esc process printed, parsed (pino levels: 30 info, 40 warn, 50 error). */
export function logLines(p: EscProcess): { level: number; msg: string; [k: string]: unknown }[] {
  return p.output
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l) as { level: number; msg: string };
      } catch {
        return null;
      }
    })
    .filter((x): x is { level: number; msg: string } => x !== null);
}
