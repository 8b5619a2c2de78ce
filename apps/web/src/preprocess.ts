/**
 * A drawing → a 28×28 MNIST-like image, the way the MNIST digits were made: the ink's bounding
 * box is scaled (aspect kept) to fit a 20×20 box, then placed so that its centre of mass sits at
 * the centre of the 28×28 field. Pure array code (no canvas), so it is tested in Node.
 */

/** Ink intensities in [0, 1], row-major `[height, width]`. */
export interface Gray {
  data: Float32Array;
  width: number;
  height: number;
}

/** The grey image of an RGBA buffer's alpha channel (the pad draws opaque ink on transparency). */
export function alphaToGray(rgba: Uint8ClampedArray, width: number, height: number): Gray {
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = rgba[4 * i + 3] / 255;
  return { data, width, height };
}

/** Area-average resampling of `src` (window x0..x0+w, y0..y0+h) to `ow × oh` pixels. */
function resample(src: Gray, x0: number, y0: number, w: number, h: number, ow: number, oh: number): Float32Array {
  const out = new Float32Array(ow * oh);
  const sx = w / ow;
  const sy = h / oh;
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      // The source rectangle of this output pixel, with fractional coverage at its edges.
      const ax = x0 + ox * sx,
        bx = ax + sx,
        ay = y0 + oy * sy,
        by = ay + sy;
      let sum = 0;
      for (let y = Math.floor(ay); y < Math.ceil(by); y++) {
        const cy = Math.min(by, y + 1) - Math.max(ay, y);
        if (y < 0 || y >= src.height || cy <= 0) continue;
        for (let x = Math.floor(ax); x < Math.ceil(bx); x++) {
          const cx = Math.min(bx, x + 1) - Math.max(ax, x);
          if (x < 0 || x >= src.width || cx <= 0) continue;
          sum += cx * cy * src.data[y * src.width + x];
        }
      }
      out[oy * ow + ox] = sum / (sx * sy);
    }
  }
  return out;
}

/**
 * The 28×28 input (row-major, values in [0, 1]) for a drawing; all zeros when nothing is drawn.
 * `box` is the size the longer side of the ink is scaled to (MNIST: 20).
 */
export function toMnist(img: Gray, box = 20, size = 28): Float32Array {
  let [minX, minY, maxX, maxY] = [img.width, img.height, -1, -1];
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if (img.data[y * img.width + x] > 0.05)
        [minX, minY, maxX, maxY] = [Math.min(minX, x), Math.min(minY, y), Math.max(maxX, x), Math.max(maxY, y)];
    }
  }
  const out = new Float32Array(size * size);
  if (maxX < 0) return out;
  const w = maxX - minX + 1;
  const h = maxY - minY + 1;
  const scale = box / Math.max(w, h);
  const ow = Math.max(1, Math.round(w * scale));
  const oh = Math.max(1, Math.round(h * scale));
  const small = resample(img, minX, minY, w, h, ow, oh);
  let [m, mx, my] = [0, 0, 0];
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const v = small[y * ow + x];
      m += v;
      mx += x * v;
      my += y * v;
    }
  }
  // Shift so that the centre of mass (mx/m, my/m) lands on the field's centre ((size-1)/2).
  const dx = Math.round((size - 1) / 2 - mx / m);
  const dy = Math.round((size - 1) / 2 - my / m);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const tx = x + dx,
        ty = y + dy;
      if (tx >= 0 && tx < size && ty >= 0 && ty < size) out[ty * size + tx] = Math.min(1, small[y * ow + x]);
    }
  }
  return out;
}
