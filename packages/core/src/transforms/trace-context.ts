/**
 * Which user function and which transforms an error was raised under. Every transform entry point
 * (grad, vmap, jit's tracing, …) runs its work inside `withTransformContext`, which keeps a stack
 * of the transforms active right now. A library error (a `LinaxError`) that escapes the innermost
 * one gets one line of context appended to its message — its class and original message stay —
 * e.g. `… (while tracing \`f\` under jit ∘ grad)` for a `ShapeError` inside `jit(grad(f))`.
 * Outer transforms see the error already annotated and pass it on unchanged, so nested transforms
 * never add a second line: the one line lists the whole stack, outermost first (as `∘` composes).
 *
 * Tracing is synchronous, so one module-level stack is exact: a frame is pushed on entry and
 * popped in `finally`, whatever happens in between.
 */
import { LinaxError } from "../errors.ts";

interface Frame {
  /** The transform's public name: "grad", "vmap", "jit", "filterJit", … */
  readonly transform: string;
  /** The function the transform was applied to. */
  readonly fn: string;
  /**
   * This frame is implemented by the next transform it enters (nn's `filterJit` by core's `jit`):
   * that next frame is shown under this frame's name and function, and this frame alone shows
   * nothing (so an error outside the implementing transform — e.g. while a cached executable
   * runs — is not said to come from tracing).
   */
  readonly alias: boolean;
}

const frames: Frame[] = [];
const annotated = new WeakSet<Error>();

/** The name an error message uses for `f`: its JS name, or "an anonymous function". */
export function functionLabel(f: unknown): string {
  const name = typeof f === "function" ? f.name : "";
  return name === "" ? "an anonymous function" : `\`${name}\``;
}

/** The stack as it reads in a message: alias frames merged into the frame that implements them. */
function visibleFrames(): { transform: string; fn: string }[] {
  const out: { transform: string; fn: string }[] = [];
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i];
    if (f.alias) {
      if (i + 1 < frames.length) out.push({ transform: f.transform, fn: f.fn });
      i++; // the implementing frame is shown as this one (or, if absent, nothing is)
      continue;
    }
    out.push({ transform: f.transform, fn: f.fn });
  }
  return out;
}

/** The context line for the current stack, or undefined when no transform is visible. */
export function currentTransformContext(): string | undefined {
  const vis = visibleFrames();
  if (vis.length === 0) return undefined;
  return `(while tracing ${vis[vis.length - 1].fn} under ${vis.map((f) => f.transform).join(" ∘ ")})`;
}

/** Append the context line to `e` once (message and, if already rendered, its stack header). */
function annotate(e: unknown): void {
  if (!(e instanceof LinaxError) || annotated.has(e)) return;
  const line = currentTransformContext();
  if (line === undefined) return;
  annotated.add(e);
  const oldHead = `${e.name}: ${e.message}`;
  e.message = `${e.message} ${line}`;
  const newHead = `${e.name}: ${e.message}`;
  // V8 renders `stack` lazily: rendered before, it still starts with the old header; not yet, it
  // renders now with the new one (which also starts with the old header, hence the first test).
  const stack = e.stack;
  if (typeof stack === "string" && !stack.startsWith(newHead) && stack.startsWith(oldHead))
    e.stack = newHead + stack.slice(oldHead.length);
}

/**
 * Run `body` as transform `transform` applied to `f`: a library error escaping it says which
 * function and which stack of transforms it was raised under (see the module comment).
 * `alias: true` marks a transform implemented by the next one it enters.
 */
export function withTransformContext<T>(
  transform: string,
  f: unknown,
  body: () => T,
  opts: { alias?: boolean } = {},
): T {
  frames.push({ transform, fn: functionLabel(f), alias: opts.alias === true });
  try {
    return body();
  } catch (e) {
    annotate(e);
    throw e;
  } finally {
    frames.pop();
  }
}
