/**
 * e^x for x ≤ 0, bit-identical to V8's Math.exp (a JavaScript port of fdlibm's __ieee754_exp,
 * which V8 compiles as base::ieee754::exp), but inlinable by the JIT: Math.exp is a call into C
 * that costs ~10 ns, which made the softmax loss ~20% of a small network's training step.
 * exp-non-positive.test.ts checks the bits against Math.exp over the whole x ≤ 0 range.
 *
 * Method (fdlibm): x = k·ln2 + r with |r| ≤ ½ln2 (ln2 split into hi + lo so k·ln2_hi is exact);
 * e^r from a degree-5 minimax rational form R(r²); then e^x = 2^k·e^r, the scaling by an exact
 * power of two taken from a table (two steps below 2^-1021, where the result is subnormal).
 * Only the x ≤ 0 branches are kept: no overflow. NaN gives NaN.
 */

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
/** The double whose high 32-bit word is `hi` and low word 0 (fdlibm compares high words only). */
function fromHighWord(hi: number): number {
  words[0] = 0;
  words[1] = hi;
  return bits[0]!;
}

const HALF_LN2 = fromHighWord(0x3fd62e42); // |x| ≥ this: reduce by k·ln2
const THREE_HALVES_LN2 = fromHighWord(0x3ff0a2b2); // |x| < this: k = −1
const TINY = fromHighWord(0x3e300000); // 2^-28: e^x = 1 + x
const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700e+00;
const P1 = 1.66666666666666019037e-01;
const P2 = -2.77777777770155933842e-03;
const P3 = 6.61375632143793436117e-05;
const P4 = -1.65339022054652515390e-06;
const P5 = 4.13813679705723846039e-08;
/** Below this e^x rounds to 0. */
const UNDERFLOW = -7.45133219101941108420e+02;
const TWO_M1000 = 2 ** -1000;
/** POW2_NEG[i] = 2^-i, exact, for 0 ≤ i ≤ 1021 (normal doubles). */
const POW2_NEG = new Float64Array(1022);
for (let i = 0; i < POW2_NEG.length; i++) POW2_NEG[i] = 2 ** -i;

/** e^x for x ≤ 0 or NaN, the same double as Math.exp(x). Positive x gives a wrong value: do not pass it. */
export function expNonPositive(x: number): number {
  let hi = 0;
  let lo = 0;
  let k = 0;
  if (x <= -HALF_LN2) {
    if (x < UNDERFLOW) return 0;
    if (x > -THREE_HALVES_LN2) {
      hi = x + LN2_HI;
      lo = -LN2_LO;
      k = -1;
    } else {
      k = (INV_LN2 * x - 0.5) | 0; // rounds to nearest (truncation of x/ln2 − ½)
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    x = hi - lo;
  } else if (x > -TINY) {
    return 1 + x; // also NaN
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - ((lo - (x * c) / (2 - c)) - hi);
  return k >= -1021 ? y * POW2_NEG[-k]! : y * 2 ** (k + 1000) * TWO_M1000;
}
