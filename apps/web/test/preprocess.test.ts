/** The drawing → MNIST preprocessing on hand-made images (values derived in the comments). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { alphaToGray, toMnist, type Gray } from "../src/preprocess.ts";

/** A w×h image with ink 1 in the rectangle [x0, x0+rw) × [y0, y0+rh). */
function rect(w: number, h: number, x0: number, y0: number, rw: number, rh: number): Gray {
  const data = new Float32Array(w * h);
  for (let y = y0; y < y0 + rh; y++) for (let x = x0; x < x0 + rw; x++) data[y * w + x] = 1;
  return { data, width: w, height: h };
}
const cells = (img: Float32Array) => [...img.keys()].filter((i) => img[i] > 0).map((i) => [Math.floor(i / 28), i % 28]);

test("a 10×10 square becomes a 20×20 block centred by its mass: rows and columns 4..23", () => {
  // Scale 20/10 = 2; centre of mass (9.5, 9.5) moves to 13.5: shift round(4) = 4.
  const out = toMnist(rect(40, 40, 5, 7, 10, 10));
  const c = cells(out);
  assert.equal(c.length, 400);
  assert.ok(c.every(([r, k]) => r >= 4 && r <= 23 && k >= 4 && k <= 23));
  assert.ok([...out].every((v) => v === 0 || Math.abs(v - 1) < 1e-6));
});

test("the aspect ratio is kept: a 10×5 bar becomes 20×10 at rows 9..18", () => {
  // 20×10 after scaling; centre of mass (9.5, 4.5) → shifts (4, round(9)) = (4, 9).
  const c = cells(toMnist(rect(30, 30, 0, 20, 10, 5)));
  assert.equal(c.length, 200);
  assert.deepEqual([Math.min(...c.map((q) => q[0])), Math.max(...c.map((q) => q[0]))], [9, 18]);
  assert.deepEqual([Math.min(...c.map((q) => q[1])), Math.max(...c.map((q) => q[1]))], [4, 23]);
});

test("area averaging: a 3-pixel line at scale 20/3 keeps its total ink × scale²; empty pad → zeros", () => {
  const out = toMnist(rect(10, 10, 2, 4, 3, 1)); // 3×1 → 20×round(6.67)=7 output pixels, each fully covered
  const total = out.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - 140) < 1e-3, `total ${total}`);
  assert.ok(toMnist(rect(10, 10, 0, 0, 0, 0)).every((v) => v === 0));
  const g = alphaToGray(Uint8ClampedArray.of(0, 0, 0, 255, 9, 9, 9, 0, 0, 0, 0, 51), 3, 1);
  assert.deepEqual([...g.data], [1, 0, 0.2].map(Math.fround));
});
