"""numpy's PCG64 and its standard-normal ziggurat, compiled into the SGD kernel.

The kernel used to call ``rng.standard_normal()`` on the numpy Generator it was given: numba then
reaches numpy's bit generator through a function pointer for each draw, about 77 instructions per
normal and 40% of the instructions of the ReLU step (callgrind). This module computes the *same
numbers* without leaving the kernel, in about 37 instructions per normal:

* **PCG64** is numpy's default bit generator, PCG XSL RR 128/64 (O'Neill 2014, "PCG: A Family of
  Simple Fast Space-Efficient Statistically Good Algorithms for Random Number Generation",
  HMC-CS-2014-0905; numpy/random/src/pcg64/pcg64.h). The 128-bit state s advances as
  s <- s * 0x2360ED051FC65DA44385DF649FCCF645 + inc (mod 2^128) and each step outputs
  rotr64(hi(s) ^ lo(s), hi(s) >> 58) of the new state. Here s and inc are held as 64-bit halves;
  the high half of the 64 x 64-bit product comes from a one-instruction LLVM intrinsic.
* **standard normals** use numpy's ``random_standard_normal`` (numpy/random/src/distributions/
  distributions.c), the 256-layer ziggurat of Marsaglia & Tsang (2000, "The Ziggurat Method for
  Generating Random Variables", J. Stat. Softw. 5(8)) with a 52-bit mantissa: one 64-bit draw
  gives the layer (8 bits), the sign (1 bit) and the abscissa (52 bits), accepted at once 99.3%
  of the time; otherwise the wedge test or, in the base layer, Marsaglia's exponential tail
  method, with further draws. The tables are numpy's, as numba ships them for its own
  ``Generator.standard_normal`` (``numba.np.random._constants``).

So a compiled kernel fed with the state of a numpy ``Generator(PCG64(...))`` draws exactly the
numbers that ``rng.standard_normal`` would have drawn, in the same order, and
:func:`save_pcg64_state` puts the advanced state back into the Generator: the stream of every job
is the one numpy would give for its seed (independent streams for independent seeds, as numpy's
SeedSequence makes them), and the numpy reference engine, which calls ``rng.standard_normal``,
sees the same samples as the kernel. The tests check both bit for bit against numpy.

The state travels as a uint64 array [s_hi, s_lo, inc_hi, inc_lo]; inside a kernel it is held in
four local integers (``hi, lo = ...``), so that LLVM keeps it in registers: each function takes
and returns them. Integer arithmetic is modulo 2^64 (numba's uint64); every constant is a uint64
so that no operation is promoted to float64. The quick path (:func:`standard_normal`) is inlined
into the kernel, whose fastmath flags cannot change it (one product by the exact +-1 sign, an
integer comparison); the rare branches, with their exp and log1p, are compiled apart without
fastmath, so that they round exactly as numpy's C code does.

Two things to know. numpy guarantees the PCG64 integer stream, not the algorithm of
``Generator.standard_normal``: should a future numpy change it, the bit-for-bit tests fail and
this module keeps drawing the numbers of the ziggurat it copies (checked against numpy 2.4).
And numba's cache alone would not see changes in this module, whose functions the kernels of
``convexnn.training`` inline: :mod:`convexnn.numba_cache` keys the cache by the source of both.
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic
from numba.np.random._constants import fi_double, ki_double, wi_double, ziggurat_nor_inv_r, ziggurat_nor_r

import convexnn.numba_cache  # noqa: F401  (before any cached kernel: see the module)

GENERATOR_OPTIONS = dict(cache=True, nogil=True, error_model="numpy")

_MULTIPLIER_HI = np.uint64(0x2360ED051FC65DA4)
_MULTIPLIER_LO = np.uint64(0x4385DF649FCCF645)
_MASK64 = (1 << 64) - 1
_U0 = np.uint64(0)
_U1 = np.uint64(1)
_U8 = np.uint64(8)
_U11 = np.uint64(11)
_U58 = np.uint64(58)
_U63 = np.uint64(63)
_LAYER_MASK = np.uint64(0xFF)
_MANTISSA_MASK = np.uint64(0x000FFFFFFFFFFFFF)
_TWO_TO_MINUS_53 = 1.0 / 9007199254740992.0
# numpy's ziggurat tables (float64 widths and function values, uint64 acceptance bounds).
_WI = np.ascontiguousarray(wi_double, dtype=np.float64)
_KI = np.ascontiguousarray(ki_double, dtype=np.uint64)
_FI = np.ascontiguousarray(fi_double, dtype=np.float64)
_SIGNS = np.array([1.0, -1.0])
_R = float(ziggurat_nor_r)
_INV_R = float(ziggurat_nor_inv_r)


@intrinsic
def _multiply_high(typingctx, left, right):
    """High 64 bits of the 128-bit product of two uint64 (x86-64: one ``mul``)."""
    if not (left == types.uint64 and right == types.uint64):
        return None

    def codegen(context, builder, signature, args):
        wide = ir.IntType(128)
        product = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
        return builder.trunc(builder.lshr(product, ir.Constant(wide, 64)), ir.IntType(64))

    return types.uint64(types.uint64, types.uint64), codegen


@numba.njit(inline="always", **GENERATOR_OPTIONS)
def pcg64_next(hi, lo, inc_hi, inc_lo):
    """One PCG64 step: (output, new hi, new lo). numpy's pcg64_next64 (step, then output)."""
    new_lo = lo * _MULTIPLIER_LO + inc_lo
    carry = np.uint64(new_lo < inc_lo)
    new_hi = _multiply_high(lo, _MULTIPLIER_LO) + lo * _MULTIPLIER_HI + hi * _MULTIPLIER_LO + inc_hi + carry
    rotation = new_hi >> _U58
    folded = new_hi ^ new_lo
    output = (folded >> rotation) | (folded << ((_U0 - rotation) & _U63))
    return output, new_hi, new_lo


@numba.njit(inline="always", **GENERATOR_OPTIONS)
def _next_double(hi, lo, inc_hi, inc_lo):
    """A uniform in [0, 1) from the top 53 bits, as numpy's next_double."""
    bits, hi, lo = pcg64_next(hi, lo, inc_hi, inc_lo)
    return np.int64(bits >> _U11) * _TWO_TO_MINUS_53, hi, lo


@numba.njit(**GENERATOR_OPTIONS)
def _standard_normal_slow(layer, mantissa, x, hi, lo, inc_hi, inc_lo):
    """The rare branches of :func:`standard_normal` (0.7% of the draws), kept out of line.

    The draw (``layer``, ``mantissa``, abscissa ``x``) failed the quick test: test it in the
    wedge, or in the base layer draw from the tail; if it is rejected, start over with new draws,
    exactly as numpy's loop does.
    """
    while True:
        if layer == 0:
            while True:
                u1, hi, lo = _next_double(hi, lo, inc_hi, inc_lo)
                u2, hi, lo = _next_double(hi, lo, inc_hi, inc_lo)
                xx = -_INV_R * np.log1p(-u1)
                yy = -np.log1p(-u2)
                if yy + yy > xx * xx:
                    if (mantissa >> _U8) & _U1:
                        return -(_R + xx), hi, lo
                    return _R + xx, hi, lo
        u, hi, lo = _next_double(hi, lo, inc_hi, inc_lo)
        if (_FI[layer - 1] - _FI[layer]) * u + _FI[layer] < np.exp(-0.5 * x * x):
            return x, hi, lo
        bits, hi, lo = pcg64_next(hi, lo, inc_hi, inc_lo)
        layer = np.int64(bits & _LAYER_MASK)
        bits >>= _U8
        mantissa = (bits >> _U1) & _MANTISSA_MASK
        x = np.int64(mantissa) * _WI[layer]
        if bits & _U1:
            x = -x
        if mantissa < _KI[layer]:
            return x, hi, lo


@numba.njit(inline="always", **GENERATOR_OPTIONS)
def standard_normal(hi, lo, inc_hi, inc_lo):
    """One N(0, 1) draw: (z, new hi, new lo). The quick path of the ziggurat is inlined."""
    bits, hi, lo = pcg64_next(hi, lo, inc_hi, inc_lo)
    layer = np.int64(bits & _LAYER_MASK)
    bits >>= _U8
    mantissa = (bits >> _U1) & _MANTISSA_MASK
    # The sign by a multiplication (exact), not a branch: a branch on a random bit is mispredicted
    # half the time, which cost more than all the rest of the draw.
    x = np.int64(mantissa) * _WI[layer] * _SIGNS[np.int64(bits & _U1)]
    if mantissa < _KI[layer]:
        return x, hi, lo
    return _standard_normal_slow(layer, mantissa, x, hi, lo, inc_hi, inc_lo)


@numba.njit(**GENERATOR_OPTIONS)
def standard_normals(state, n_draws):
    """``n_draws`` standard normals from the stream ``state`` (advanced in place): what
    ``rng.standard_normal(n_draws)`` returns for the Generator the state was read from."""
    hi, lo, inc_hi, inc_lo = state[0], state[1], state[2], state[3]
    draws = np.empty(n_draws)
    for i in range(n_draws):
        draws[i], hi, lo = standard_normal(hi, lo, inc_hi, inc_lo)
    state[0], state[1] = hi, lo
    return draws


@numba.njit(**GENERATOR_OPTIONS)
def random_raw(state, n_draws):
    """``n_draws`` raw 64-bit outputs, as ``PCG64.random_raw`` (for the tests)."""
    hi, lo, inc_hi, inc_lo = state[0], state[1], state[2], state[3]
    draws = np.empty(n_draws, dtype=np.uint64)
    for i in range(n_draws):
        draws[i], hi, lo = pcg64_next(hi, lo, inc_hi, inc_lo)
    state[0], state[1] = hi, lo
    return draws


def load_pcg64_state(rng: np.random.Generator) -> np.ndarray:
    """The stream state [s_hi, s_lo, inc_hi, inc_lo] (uint64) of a Generator on PCG64."""
    state = rng.bit_generator.state
    if state["bit_generator"] != "PCG64":
        raise TypeError(
            f"the compiled engine draws numpy's PCG64 stream; got a Generator on {state['bit_generator']}"
            " (use np.random.default_rng / Generator(PCG64(seed)), or engine='reference')"
        )
    value, increment = state["state"]["state"], state["state"]["inc"]
    return np.array([value >> 64, value & _MASK64, increment >> 64, increment & _MASK64], dtype=np.uint64)


def save_pcg64_state(rng: np.random.Generator, stream_state: np.ndarray) -> None:
    """Put the advanced stream state back into the Generator it was loaded from."""
    state = rng.bit_generator.state
    hi, lo, inc_hi, inc_lo = (int(value) for value in stream_state)
    if (inc_hi << 64 | inc_lo) != state["state"]["inc"]:
        raise ValueError("this stream state was not loaded from this Generator")
    state["state"]["state"] = hi << 64 | lo
    rng.bit_generator.state = state
