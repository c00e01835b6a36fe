// Packed processing elements (mac_packing dsp2, dsp4, lut; docs/rtl.md "Packed MACs").
// Products and sums wrap modulo 2^ACC, exactly as the one-MAC PEs of hwnas_pe_ws.v and
// hwnas_pe_os.v, so the C reference of sim/ is unchanged.

// hwnas_pkmul: the NX x NY products x[ix] * y[iy] of signed XB-bit and YB-bit values from
// ONE multiplication (Xilinx WP486's scheme, generalised):
//     X = x[0] + x[1] 2^S,   Y = y[0] + y[1] 2^(NX S),   X Y = sum_f p_f 2^(f S)
// with f = ix + NX iy and field width S = XB + YB: a product of an XB-bit and a YB-bit signed
// value lies in [-2^(S-2), 2^(S-2)], strictly inside a signed S-bit field, so no field spills
// into the next. Each field is read back with its sign correction: the fields below field f
// sum to L, |L| < 2^(f S - 1), and floor(XY / 2^(f S)) = (sum of fields >= f) - [L < 0], where
// [L < 0] is bit f S - 1 of XY; so p_f = XY[fS +: S] + XY[fS - 1] (mod 2^S). No accumulation
// happens inside the packed word (each field is corrected and summed at ACC bits outside the
// multiplier), so no guard bits are needed between fields; X fits the DSP's wide port and Y its
// 18-bit port: dsp2 at 8 bits S = 16, X 24 bits (27x18 DSP48E2 and 25x18 DSP48E1); dsp4 at 4
// bits S = 8, X 12 bits, Y 20 bits.
//
// LUT = 1 (NX = NY = 1 only): a shift-and-add multiplier over the narrower operand's bits
// (its top bit weighs -2^(n-1)), which Yosys maps to LUTs and carry chains, never to a DSP.
module hwnas_pkmul #(
    parameter XB = 8,
    parameter YB = 8,
    parameter NX = 1,          // 1 or 2
    parameter NY = 1,          // 1 or 2
    parameter LUT = 0
) (
    input  wire [NX*XB-1:0]          x,
    input  wire [NY*YB-1:0]          y,
    output wire [NX*NY*(XB+YB)-1:0]  p     // p[(ix + NX*iy)*S +: S] = x[ix] * y[iy]
);
    localparam S = XB + YB;
    localparam NBF = (XB < YB) ? XB : YB;
    genvar f;

    // n x me, n signed NBF bits: sum of me << b over n's bits, the top bit subtracted.
    function [S-1:0] shift_add(input [NBF-1:0] n, input [S-1:0] me);
        integer b;
        begin
            shift_add = {S{1'b0}};
            for (b = 0; b < NBF; b = b + 1)
                if (n[b])
                    shift_add = (b == NBF - 1) ? shift_add - (me << b) : shift_add + (me << b);
        end
    endfunction

    generate
        if (LUT != 0) begin : g_lut
            localparam NB = (XB < YB) ? XB : YB;          // bits of the narrower operand
            localparam MB = (XB < YB) ? YB : XB;
            wire [NB-1:0] n;
            wire [MB-1:0] m;
            if (XB < YB) begin : g_nx
                assign n = x[NB-1:0];
                assign m = y[MB-1:0];
            end else begin : g_ny
                assign n = y[NB-1:0];
                assign m = x[MB-1:0];
            end
            assign p = shift_add(n, {{(S-MB){m[MB-1]}}, m});
        end else begin : g_dsp
            // x[1] 2^S + x[0] needs one bit more than x[1] 2^S: (-8) 2^8 + (-8) < -2^11
            localparam XW = (NX - 1) * (S + 1) + XB;
            localparam YW = (NY - 1) * (NX * S + 1) + YB;
            wire signed [XW-1:0] xp;
            wire signed [YW-1:0] yp;
            if (NX == 2) begin : g_x2
                assign xp = {x[2*XB-1], x[XB +: XB], {S{1'b0}}}
                          + {{(S+1){x[XB-1]}}, x[0 +: XB]};
            end else begin : g_x1
                assign xp = x;
            end
            if (NY == 2) begin : g_y2
                assign yp = {y[2*YB-1], y[YB +: YB], {(NX*S){1'b0}}}
                          + {{(NX*S+1){y[YB-1]}}, y[0 +: YB]};
            end else begin : g_y1
                assign yp = y;
            end
            wire signed [XW+YW-1:0] pp = xp * yp;         // fields: the low NX NY S bits
            for (f = 0; f < NX * NY; f = f + 1) begin : g_field
                if (f == 0) begin : g_low
                    assign p[0 +: S] = pp[0 +: S];
                end else begin : g_up
                    assign p[f*S +: S] = pp[f*S +: S] + {{(S-1){1'b0}}, pp[f*S-1]};
                end
            end
        end
    endgenerate
endmodule

