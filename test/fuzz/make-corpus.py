#!/usr/bin/env python3
"""Writes the seed corpora of the fuzzers into test/fuzz/corpus/<fuzzer>/.

Each seed spells one input in the layout its fuzzer decodes (test/fuzz/diff-fuzzer.h for
the differential fuzzers, test/fuzz/api-fuzzer.cc for the API fuzzer). Rerun after
changing a layout: python3 test/fuzz/make-corpus.py
"""
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def f32(*values):
    return b"".join(struct.pack("<f", v) if isinstance(v, float) else struct.pack("<I", v)
                    for v in values)


def half_bits(value):
    return struct.unpack("<H", struct.pack("<e", value))[0]


def f16(*bits):
    return b"".join(struct.pack("<H", b) for b in bits)


def diff_seed(batch=1, in_place=False, masked=False, one_shot=False, nt=False,
              guard_before=False, misaligned=False, length_class=0, channels=1,
              in_gap=0, out_gap=0, misalign=0, fill_mode=0, value_range=0, seed=1,
              position=0, step=0, values=b"", scale_mask=False, broadcast=False):
    mode = ((batch - 1) | in_place << 2 | masked << 3 | one_shot << 4 | nt << 5
            | guard_before << 6 | misaligned << 7)
    length = channels - 1
    header = bytes([mode, length_class, length & 0xFF, (length >> 8) & 0xFF,
                    (length >> 16) & 0xFF, in_gap | out_gap << 3 | misalign << 6,
                    fill_mode | value_range << 3 | scale_mask << 6 | broadcast << 7])
    return header + struct.pack("<IHB", seed, position, step) + values


NAN_PAYLOAD = 0x7F800001
MINUS_NAN = 0xFFC00000
INF = 0x7F800000
MINUS_INF = 0xFF800000
FLT_MAX = 0x7F7FFFFF
MINUS_FLT_MAX = 0xFF7FFFFF
DENORMAL_MIN = 0x00000001
MINUS_ZERO = 0x80000000

F32_SEEDS = {
    # 16 elements, every special of the contract.
    "specials-16": diff_seed(channels=16, values=f32(
        1.0, NAN_PAYLOAD, 2.0, MINUS_INF, INF, FLT_MAX, MINUS_FLT_MAX, DENORMAL_MIN,
        MINUS_ZERO, MINUS_NAN)),
    # Two +inf in a row of 7: 1/2 each.
    "two-plus-inf": diff_seed(channels=7, batch=2, values=f32(INF, 3.0, INF)),
    # Fully masked rows (all -inf), masked-row-zero, with gaps.
    "masked-rows": diff_seed(channels=300, length_class=1, batch=3, masked=True,
                             in_gap=3, out_gap=5, fill_mode=5, value_range=0, seed=7),
    # 69999 elements (17 chunks), a NaN far into the row, pool-split.
    "long-row-nan": diff_seed(channels=69999, length_class=3, fill_mode=0, value_range=1,
                              seed=3, position=65000, values=f32(NAN_PAYLOAD)),
    # One element past the chunk size, arbitrary bit patterns.
    "chunk-plus-one-bits": diff_seed(channels=4097, length_class=2, fill_mode=3, seed=11),
    # Huge magnitude (three-pass fallback), in place, non-temporal stores.
    "huge-in-place-nt": diff_seed(channels=4999, length_class=2, in_place=True, nt=True,
                                  in_gap=2, fill_mode=0, value_range=3, seed=5),
    # Denormals, misaligned buffers against a leading guard page.
    "denormals-misaligned": diff_seed(channels=257, length_class=1, guard_before=True,
                                      misaligned=True, misalign=1, fill_mode=0,
                                      value_range=4, seed=9),
    # Four rows, one-shot, infinities and NaN sprinkled, equal values.
    "one-shot-sprinkled": diff_seed(channels=12345 % 5000, length_class=2, batch=4,
                                    one_shot=True, in_gap=1, out_gap=7, fill_mode=7,
                                    value_range=0, seed=13),
    "equal-values": diff_seed(channels=4096, length_class=2, fill_mode=1, value_range=5,
                              seed=17),
    # A row spanning more than FLT_MAX: log-softmax below -FLT_MAX rounds to -inf.
    "span-beyond-flt-max": diff_seed(channels=5, batch=2, fill_mode=0, value_range=0,
                                     values=f32(-3e38, 3e38, 1.0, -3e38, MINUS_FLT_MAX)),
    # Rows of only -inf, not masked (NaN; lse -inf) and masked (log-softmax -inf).
    "all-minus-inf": diff_seed(channels=33, batch=2, fill_mode=2, values=f32(MINUS_INF)),
    "all-minus-inf-masked": diff_seed(channels=4100, length_class=2, batch=2, masked=True,
                                      fill_mode=2, values=f32(MINUS_INF)),
    # Scale and mask: the seed's bits 24-26 pick the scale (kScales in
    # diff-fuzzer.h), bits 16-17 the mask fill, bits 8-9 the mask's gap.
    "scale-mask-causal": diff_seed(channels=4097, length_class=2, batch=4, scale_mask=True,
                                   seed=0 << 24 | 2 << 16 | 1 << 8 | 5),
    "scale-mask-broadcast-specials": diff_seed(channels=300, length_class=1, batch=3,
                                               scale_mask=True, broadcast=True,
                                               seed=1 << 24 | 3 << 16 | 2 << 8 | 7),
    "scale-zero-infinities": diff_seed(channels=16, batch=2, scale_mask=True,
                                       seed=2 << 24 | 1 << 16,
                                       values=f32(INF, MINUS_INF, 1.0)),
    "scale-huge-in-place-nt": diff_seed(channels=4999, length_class=2, in_place=True, nt=True,
                                        scale_mask=True, seed=4 << 24 | 1 << 16 | 3 << 8),
    "scale-mask-long-row": diff_seed(channels=69999, length_class=3, batch=2, scale_mask=True,
                                     value_range=1, seed=5 << 24 | 1 << 16 | 9),
    # Sharded rows: the seed's bits 28-29 + 1 shards (partial / merge / finish).
    "sharded-4-long": diff_seed(channels=69999, length_class=3, batch=2, value_range=1,
                                seed=3 << 28 | 21),
    "sharded-3-specials": diff_seed(channels=300, length_class=1, batch=3, masked=True,
                                    fill_mode=7, seed=2 << 28 | 7),
}

H_NAN = 0x7E00
H_NAN_PAYLOAD = 0x7C01
H_MINUS_NAN = 0xFE00
H_INF = 0x7C00
H_MINUS_INF = 0xFC00
H_MAX = 0x7BFF
H_LOWEST = 0xFBFF
H_MIN_SUBNORMAL = 0x0001
H_MAX_SUBNORMAL = 0x03FF
H_MINUS_ZERO = 0x8000

F16_SEEDS = {
    "specials-16": diff_seed(channels=16, values=f16(
        0x3C00, H_NAN_PAYLOAD, 0x4000, H_MINUS_INF, H_INF, H_MAX, H_LOWEST,
        H_MIN_SUBNORMAL, H_MAX_SUBNORMAL, H_MINUS_ZERO, H_MINUS_NAN, H_NAN)),
    "two-plus-inf": diff_seed(channels=7, batch=2, values=f16(H_INF, 0x4200, H_INF)),
    "masked-rows": diff_seed(channels=300, length_class=1, batch=3, masked=True,
                             in_gap=3, out_gap=5, fill_mode=5, seed=7),
    "long-row-nan": diff_seed(channels=69999, length_class=3, fill_mode=0, value_range=0,
                              seed=3, position=65000, values=f16(H_NAN_PAYLOAD)),
    "chunk-plus-one-bits": diff_seed(channels=4097, length_class=2, fill_mode=3, seed=11),
    # Largest halves (beyond 1e4: the three-pass fallback), in place.
    "max-half-in-place": diff_seed(channels=4999, length_class=2, in_place=True, in_gap=2,
                                   fill_mode=0, value_range=3, seed=5),
    "subnormals-misaligned": diff_seed(channels=257, length_class=1, guard_before=True,
                                       misaligned=True, misalign=2, fill_mode=0,
                                       value_range=4, seed=9),
    "one-shot-sprinkled": diff_seed(channels=2345, length_class=2, batch=4, one_shot=True,
                                    in_gap=1, out_gap=7, fill_mode=7, seed=13),
    "lowest-ramp": diff_seed(channels=999, length_class=1, fill_mode=6, value_range=6,
                             seed=19),
    # -40000 next to 60000: log-softmax below -65520 rounds to -inf.
    "span-beyond-half": diff_seed(channels=4, fill_mode=0, value_range=0,
                                  values=f16(half_bits(-40000.0), half_bits(60000.0), 0x3C00,
                                             H_LOWEST)),
    "all-minus-inf-masked": diff_seed(channels=4100, length_class=2, batch=2, masked=True,
                                      fill_mode=2, values=f16(H_MINUS_INF)),
    # Sharded rows: the seed's bits 28-29 + 1 shards (partial / merge / finish).
    "sharded-2-in-place": diff_seed(channels=4999, length_class=2, in_place=True,
                                    seed=1 << 28 | 9),
    "sharded-4-minus-inf": diff_seed(channels=33, batch=2, masked=True, fill_mode=5,
                                     seed=3 << 28 | 3),
    # Scale and a half mask (seed bits as for f32): causal rows, a broadcast mask with
    # -inf, +inf and NaN over the specials, and scale 1e30 on the largest halves.
    "scale-mask-causal": diff_seed(channels=4097, length_class=2, batch=4, scale_mask=True,
                                   seed=0 << 24 | 2 << 16 | 1 << 8 | 5),
    "scale-mask-broadcast-specials": diff_seed(channels=300, length_class=1, batch=3,
                                               masked=True, scale_mask=True, broadcast=True,
                                               fill_mode=7, seed=1 << 24 | 3 << 16 | 2 << 8 | 7),
    "scale-huge-max-half": diff_seed(channels=999, length_class=1, in_place=True,
                                     scale_mask=True, value_range=3,
                                     seed=4 << 24 | 1 << 16 | 3 << 8),
}


# ---- API fuzzer: one call per helper, bytes in the order api-fuzzer.cc reads them ----

def size_small(v):  # Size(), case 0: 0..31
    assert 0 <= v < 32
    return bytes([v << 3])


def size_u16(v):  # Size(), case 2: v % 5000
    return bytes([2]) + struct.pack("<H", v)


def size_u32(v):  # Size(), case 3: v % 70000
    return bytes([3]) + struct.pack("<I", v)


def size_max_minus(k):  # Size(), case 4: SIZE_MAX - k
    return bytes([4, k])


def size_big(index, delta=0):  # Size(), case 5: kBig[index] + delta
    return bytes([5, index, delta & 0xFF])


def stride_same():
    return bytes([0])


def stride_plus(k):
    return bytes([1, k])


def stride_minus_one():
    return bytes([2])


def flags_valid(index):  # Flags(): kValid[index]
    return bytes([index << 2])


def flags_u32(v):
    return bytes([3]) + struct.pack("<I", v)


def ptr_arena(element):  # Pointer(): arena + element * 4 (f32) or + element bytes (f16)
    return bytes([1]) + struct.pack("<I", element)


def ptr_null():
    return bytes([0])


def ptr_misaligned(element):  # arena + element * 4 + 1 for a float pointer (c = 249)
    return bytes([249]) + struct.pack("<I", element)


def ptr_previous():
    return bytes([5])


def ptr_previous_plus(delta):
    return bytes([6, delta & 0xFF])


def ptr_top(offset):
    return bytes([7]) + struct.pack("<H", offset) + bytes([1])


def ptr_low(offset):
    return bytes([7]) + struct.pack("<H", offset) + bytes([0])


SLOT = list(range(6))
STALE = 6
NULL_HANDLE = 14
FOREIGN = 15


def create(f16_op, slot, flags, null_out=False):
    return bytes([1 if f16_op else 0, slot]) + flags + bytes([0xFF if null_out else 0])


def reshape(f16_op, handle, channels, in_stride, batch, out_stride=None, pool=False):
    body = bytes([3 if f16_op else 2, handle]) + channels + in_stride
    body += bytes([1]) if out_stride is None else bytes([0]) + out_stride
    return body + batch + bytes([int(pool)])


def setup(f16_op, handle, input_ptr, output_ptr):
    return bytes([5 if f16_op else 4, handle]) + input_ptr + output_ptr


def run(handle, pool=False):
    return bytes([6, handle, int(pool)])


def delete(handle):
    return bytes([7, handle])


def one_shot(f16_op, channels, in_stride, batch, input_ptr, output_ptr, flags,
             out_stride=None, pool=False):
    body = bytes([9 if f16_op else 8]) + channels + in_stride
    body += bytes([1]) if out_stride is None else bytes([0]) + out_stride
    return body + batch + input_ptr + output_ptr + flags + bytes([int(pool)])


def set_isa(value):  # value in -2..4
    return bytes([10, value + 2])


def set_log_level(value):
    return bytes([11, value & 0xFF])


# Calls 12-15: create / reshape / setup / one-shot of another kind (OtherKind()).
LOG_F32, LOG_F16, LSE_F32 = 0, 1, 2


def create_kind(kind, slot, flags, null_out=False):
    return bytes([12, kind, slot]) + flags + bytes([0xFF if null_out else 0])


def reshape_kind(kind, handle, channels, in_stride, batch, out_stride=None, pool=False):
    body = bytes([13, kind, handle]) + channels + in_stride
    if kind != LSE_F32:  # logsumexp's reshape has no output stride
        body += bytes([1]) if out_stride is None else bytes([0]) + out_stride
    return body + batch + bytes([int(pool)])


def setup_kind(kind, handle, input_ptr, output_ptr):  # logsumexp: output_ptr is lse
    return bytes([14, kind, handle]) + input_ptr + output_ptr


def one_shot_kind(kind, channels, in_stride, batch, input_ptr, output_ptr, flags,
                  out_stride=None, pool=False):
    body = bytes([15, kind]) + channels + in_stride
    if kind != LSE_F32:
        body += bytes([1]) if out_stride is None else bytes([0]) + out_stride
    return body + batch + input_ptr + output_ptr + flags + bytes([int(pool)])


def lse_output(handle, lse_ptr, live=True, near_output=False):
    """twopass_setup_logsumexp_output (calls 16-17); for a live handle a byte chooses
    which tensor ptr_previous() / ptr_previous_plus() are relative to."""
    return bytes([16, handle]) + (bytes([0 if near_output else 1]) if live else b"") + lse_ptr


SCALES = {1.0: 0, 0.125: 1, -1.0: 2, 0.0: 3, 3.0: 4, 1e30: 5, "nan": 6, "inf": 7}
STRIDE_NONE, STRIDE_BROADCAST, STRIDE_CHOSEN, STRIDE_SIZE = 0, 1, 2, 3


def scale_mask(handle, scale, mask_ptr=None, stride_kind=STRIDE_NONE, stride=b"",
               near_output=False, live=True):
    """twopass_setup_scale_mask (call 18): scale from the fuzzer's list, a mask pointer
    (None: NULL), the stride's kind and its bytes (stride_same() etc. for STRIDE_CHOSEN)."""
    body = bytes([18, handle, SCALES[scale]])
    body += bytes([0 if near_output else 1]) if live else b""
    body += bytes([0]) if mask_ptr is None else bytes([1]) + mask_ptr
    return body + bytes([stride_kind]) + stride


def arena(mode, seed):
    return bytes([mode]) + struct.pack("<I", seed)


API_SEEDS = {
    # The whole life of an f32 operator, run with and without the pool, deleted twice.
    "lifecycle-f32": arena(0, 1) + create(False, 0, flags_valid(0))
    + reshape(False, 0, size_u16(100), stride_plus(3), size_small(3), pool=True)
    + setup(False, 0, ptr_arena(0), ptr_arena(20000)) + run(0) + run(0, pool=True)
    + delete(0) + delete(STALE) + run(STALE),
    # f16 in place with gaps, masked-row-zero + two-pass; then reshaped and run unset.
    "lifecycle-f16-in-place": arena(1, 2) + create(True, 1, flags_valid(5))
    + reshape(True, 1, size_u16(4100), stride_plus(5), size_small(2), pool=True)
    + setup(True, 1, ptr_arena(101), ptr_previous()) + run(1, pool=True)
    + reshape(True, 1, size_small(7), stride_same(), size_small(9)) + run(1) + delete(1),
    # Float pointers off alignment: an lse 16 bytes after an f16 output at an odd byte
    # (the API fuzzer's first finding, a misaligned float store), f32 tensors at +1 byte.
    "misaligned-floats": arena(0, 9) + create(True, 1, flags_valid(0))
    + reshape(True, 1, size_small(9), stride_same(), size_small(3))
    + setup(True, 1, ptr_arena(101), ptr_arena(2001))
    + lse_output(1, ptr_previous_plus(4), near_output=True) + run(1)
    + lse_output(1, ptr_arena(1000)) + run(1, pool=True)
    + create(False, 0, flags_valid(0))
    + reshape(False, 0, size_small(9), stride_same(), size_small(3))
    + setup(False, 0, ptr_misaligned(0), ptr_arena(200))
    + setup(False, 0, ptr_arena(0), ptr_misaligned(200)) + run(0)
    + one_shot(False, size_small(5), stride_same(), size_small(2), ptr_arena(0),
               ptr_misaligned(300), flags_valid(0)),
    # Scale and mask on every kind: per-row and broadcast masks, a mask beside the output
    # (overlap refused), a stride without a mask, NaN scale, the lse output next to a bound
    # mask, setup unbinding it, runs checked against t = x * scale + mask.
    "scale-mask": arena(0, 11) + create(False, 0, flags_valid(0))
    + reshape(False, 0, size_u16(600), stride_plus(3), size_small(3))
    + setup(False, 0, ptr_arena(0), ptr_arena(4000))
    + scale_mask(0, 0.125, ptr_arena(9000), STRIDE_CHOSEN, stride_same()) + run(0)
    + scale_mask(0, -1.0, ptr_arena(12000), STRIDE_BROADCAST) + run(0, pool=True)
    + lse_output(0, ptr_arena(12100)) + lse_output(0, ptr_arena(20000)) + run(0)
    + scale_mask(0, 3.0, ptr_previous_plus(2), STRIDE_BROADCAST, near_output=True)
    + scale_mask(0, 1.0, None, STRIDE_BROADCAST) + scale_mask(0, "nan")
    + scale_mask(0, 0.0) + run(0)
    + setup(False, 0, ptr_arena(0), ptr_arena(4000)) + run(0)
    + create_kind(LOG_F16, 1, flags_valid(0))
    + reshape_kind(LOG_F16, 1, size_u16(40), stride_same(), size_small(2))
    + setup_kind(LOG_F16, 1, ptr_arena(1), ptr_arena(3001))
    + scale_mask(1, 1e30, ptr_arena(7001), STRIDE_CHOSEN, stride_plus(1)) + run(1)
    + create_kind(LSE_F32, 2, flags_valid(0))
    + reshape_kind(LSE_F32, 2, size_small(30), stride_same(), size_small(4))
    + setup_kind(LSE_F32, 2, ptr_arena(0), ptr_arena(5000))
    + scale_mask(2, 0.125, ptr_arena(6000), STRIDE_CHOSEN, stride_same()) + run(2),
    # The same on f16 operators over an arena of halves (at even bytes: odd ones read
    # random bits, NaN rows that would hide wrong values).
    "scale-mask-f16": arena(1, 12) + create(True, 3, flags_valid(0))
    + reshape(True, 3, size_u16(700), stride_plus(1), size_small(2))
    + setup(True, 3, ptr_arena(2), ptr_arena(20002))
    + scale_mask(3, 0.125, ptr_arena(30002), STRIDE_BROADCAST) + run(3)
    + scale_mask(3, -1.0, ptr_arena(40002), STRIDE_CHOSEN, stride_same()) + run(3, pool=True)
    + create_kind(LOG_F16, 1, flags_valid(0))
    + reshape_kind(LOG_F16, 1, size_u16(100), stride_same(), size_small(3))
    + setup_kind(LOG_F16, 1, ptr_arena(0), ptr_arena(3002))
    + scale_mask(1, 3.0, ptr_arena(7002), STRIDE_CHOSEN, stride_plus(1)) + run(1),
    # Wrong order and wrong types: setup and run before reshape, f32 calls on f16.
    "out-of-order": arena(2, 3) + create(True, 2, flags_valid(1)) + setup(True, 2, ptr_arena(0),
                                                                         ptr_arena(50))
    + run(2) + reshape(False, 2, size_small(4), stride_same(), size_small(1))
    + reshape(True, 2, size_small(4), stride_same(), size_small(1))
    + setup(False, 2, ptr_arena(0), ptr_arena(50)) + setup(True, 2, ptr_arena(0), ptr_null())
    + setup(True, 2, ptr_arena(0), ptr_previous_plus(2)) + run(NULL_HANDLE) + run(FOREIGN)
    + delete(FOREIGN) + delete(NULL_HANDLE),
    # Sizes that overflow, zero channels, strides below channels, huge scratch.
    "overflows": arena(0, 4) + create(False, 3, flags_valid(2))
    + reshape(False, 3, size_small(0), stride_same(), size_small(1))
    + reshape(False, 3, size_max_minus(0), stride_same(), size_small(2))
    + reshape(False, 3, size_small(5), stride_minus_one(), size_small(2))
    + reshape(False, 3, size_big(0), stride_same(), size_big(2))
    + reshape(False, 3, size_u32(69999), stride_same(), size_big(6))
    + reshape(False, 3, size_u16(4097), stride_same(), size_big(7, 3))
    + one_shot(False, size_u32(5000), stride_same(), size_big(4), ptr_low(0), ptr_arena(0),
               flags_valid(0)),
    # Bad flags, NULL out pointer, the stale handles of a full set of slots.
    "flags-and-handles": arena(0, 5) + create(False, 0, flags_u32(0x10))
    + create(True, 0, flags_u32(0x3)) + create(False, 0, flags_valid(3), True)
    + b"".join(create(i % 2 == 1, i, flags_valid(i)) for i in range(6))
    + b"".join(delete(i) for i in range(6)) + b"".join(run(STALE + i) for i in range(8))
    + set_isa(-1) + set_isa(0) + set_isa(4) + set_log_level(5) + set_log_level(-1)
    + set_log_level(2),
    # Setup ranges that wrap the address space, batch 0 runs on bogus pointers.
    "wrap-and-batch-zero": arena(1, 6) + create(False, 4, flags_valid(4))
    + reshape(False, 4, size_small(16), stride_same(), size_small(4))
    + setup(False, 4, ptr_top(2), ptr_arena(0))
    + reshape(False, 4, size_small(16), stride_same(), size_small(0))
    + setup(False, 4, ptr_top(0), ptr_low(8)) + run(4, pool=True)
    + one_shot(True, size_small(3), stride_same(), size_small(0), ptr_low(1), ptr_low(1),
               flags_valid(0)),
    # A set-up operator reshaped beyond the allocation limit: out_of_memory, and then
    # no longer set up (run: invalid_state) until setup again.
    "reshape-out-of-memory": arena(0, 8) + create(False, 0, flags_valid(0))
    + reshape(False, 0, size_u16(100), stride_same(), size_small(3))
    + setup(False, 0, ptr_arena(0), ptr_arena(20000)) + run(0)
    + reshape(False, 0, size_u32(69999), stride_same(), size_big(6)) + run(0)
    + setup(False, 0, ptr_arena(0), ptr_arena(20000)) + run(0, pool=True),
    # Log-softmax f32 (masked-row-zero) with its lse output: bound, run with and without
    # the pool, unbound by setup; then multi-chunk rows (split over the pool).
    "log-softmax-lifecycle": arena(0, 21) + create_kind(LOG_F32, 0, flags_valid(4))
    + reshape_kind(LOG_F32, 0, size_u16(100), stride_plus(3), size_small(3), pool=True)
    + setup_kind(LOG_F32, 0, ptr_arena(0), ptr_arena(20000)) + lse_output(0, ptr_arena(30000))
    + run(0) + run(0, pool=True) + setup_kind(LOG_F32, 0, ptr_arena(0), ptr_arena(20000))
    + run(0) + reshape_kind(LOG_F32, 0, size_u16(4100), stride_same(), size_small(2))
    + setup_kind(LOG_F32, 0, ptr_arena(0), ptr_arena(20000)) + lse_output(0, ptr_arena(40000))
    + run(0, pool=True) + delete(0),
    # Log-softmax f16 in place at an odd byte, lse bound; one-shot f16 and f32 calls.
    "log-softmax-f16-in-place": arena(1, 22) + create_kind(LOG_F16, 1, flags_valid(1))
    + reshape_kind(LOG_F16, 1, size_u16(4100), stride_plus(5), size_small(2), pool=True)
    + setup_kind(LOG_F16, 1, ptr_arena(101), ptr_previous()) + lse_output(1, ptr_arena(60000))
    + run(1, pool=True) + delete(1)
    + one_shot_kind(LOG_F16, size_u16(300), stride_plus(1), size_small(4), ptr_arena(3),
                    ptr_arena(70001), flags_valid(5), out_stride=stride_plus(2))
    + one_shot_kind(LOG_F32, size_u16(513), stride_same(), size_small(5), ptr_arena(10),
                    ptr_previous(), flags_valid(0), pool=True),
    # Logsumexp: life cycle, lse overlapping or equal to the input, the lse output call
    # refused on it, one-shot calls.
    "logsumexp-lifecycle": arena(0, 23) + create_kind(LSE_F32, 2, flags_valid(0))
    + reshape_kind(LSE_F32, 2, size_u16(4999), stride_plus(1), size_small(3), pool=True)
    + setup_kind(LSE_F32, 2, ptr_arena(0), ptr_arena(20000)) + run(2) + run(2, pool=True)
    + setup_kind(LSE_F32, 2, ptr_arena(0), ptr_previous_plus(10))
    + setup_kind(LSE_F32, 2, ptr_arena(0), ptr_previous()) + lse_output(2, ptr_arena(30000))
    + run(2) + one_shot_kind(LSE_F32, size_u16(70), stride_plus(4), size_small(9),
                             ptr_arena(100), ptr_arena(5000), flags_valid(1), pool=True)
    + one_shot_kind(LSE_F32, size_u16(70), stride_same(), size_small(9), ptr_arena(100),
                    ptr_previous_plus(3), flags_valid(0)),
    # Calls of one kind on operators of another, unsupported flags, the lse output before
    # setup, overlapping the output, wrapping, unbound by NULL and by reshape.
    "cross-kind": arena(2, 24) + create(False, 0, flags_valid(0))
    + create_kind(LOG_F32, 1, flags_valid(0)) + create_kind(LSE_F32, 2, flags_valid(0))
    + reshape(False, 1, size_small(8), stride_same(), size_small(2))
    + reshape_kind(LOG_F32, 0, size_small(8), stride_same(), size_small(2))
    + reshape_kind(LSE_F32, 0, size_small(8), stride_same(), size_small(2))
    + reshape_kind(LOG_F16, 1, size_small(8), stride_same(), size_small(2))
    + lse_output(0, ptr_arena(1000))
    + reshape(False, 0, size_small(8), stride_plus(1), size_small(4))
    + setup_kind(LSE_F32, 0, ptr_arena(0), ptr_arena(100))
    + setup(False, 0, ptr_arena(0), ptr_arena(100))
    + lse_output(0, ptr_previous_plus(2), near_output=True) + lse_output(0, ptr_top(0))
    + lse_output(0, ptr_previous()) + lse_output(0, ptr_arena(1000)) + run(0)
    + lse_output(0, ptr_null()) + run(0, pool=True) + lse_output(0, ptr_arena(1000))
    + reshape(False, 0, size_small(8), stride_plus(1), size_small(4))
    + setup(False, 0, ptr_arena(0), ptr_arena(100)) + run(0)
    + create_kind(LOG_F32, 3, flags_valid(2)) + create_kind(LSE_F32, 3, flags_valid(4))
    + create_kind(LOG_F16, 3, flags_valid(7)) + create_kind(LSE_F32, 3, flags_u32(0x20))
    + lse_output(STALE, ptr_arena(0), live=False) + lse_output(NULL_HANDLE, ptr_arena(0), live=False),
    # One-shot calls: in place, misplaced output, scalar ISA.
    "one-shot": arena(0, 7) + set_isa(0)
    + one_shot(False, size_u16(513), stride_plus(2), size_small(5), ptr_arena(10),
               ptr_previous(), flags_valid(6), pool=True)
    + one_shot(True, size_u16(64), stride_same(), size_small(2), ptr_arena(0),
               ptr_previous_plus(3), flags_valid(0))
    + one_shot(True, size_u16(4500), stride_same(), size_small(3), ptr_arena(0),
               ptr_arena(40000), flags_valid(7), out_stride=stride_plus(1), pool=True),
}


def write(fuzzer, seeds):
    folder = os.path.join(HERE, "corpus", fuzzer)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for name, data in seeds.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)


write("f32_diff_fuzzer", F32_SEEDS)
write("f16_diff_fuzzer", F16_SEEDS)
write("api_fuzzer", API_SEEDS)
