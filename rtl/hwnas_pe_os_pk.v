// Packed processing elements (mac_packing dsp2, dsp4, lut; docs/rtl.md "Packed MACs").
// Products and sums wrap modulo 2^ACC, exactly as the one-MAC PEs of hwnas_pe_ws.v and
// hwnas_pe_os.v, so the C reference of sim/ is unchanged.

// Output-stationary block: NR x NC PEs (rows i0.., columns j0..) that multiply in one cycle,
// the block's top-left PE's: the NR activations and NC weights form an outer product, so one
// multiply gives all NR x NC products (dsp4: 2 x 2 at 4 bits; dsp2: 1 x 2, the row's
// activation shared). A row's a leaves after NC registers, a column's b after NR, so the next
// blocks see them at their own time. While drain is high the sums shift down one row per
// cycle, as in hwnas_pe_os.
module hwnas_pe_os_pk #(
    parameter AB = 8,
    parameter BB = 8,
    parameter ACC = 32,
    parameter NR = 1,
    parameter NC = 2,
    parameter LUT = 0
) (
    input  wire                  clk,
    input  wire                  rst,
    input  wire                  drain,
    input  wire [NR*AB-1:0]      a_in,
    output wire [NR*NC*AB-1:0]   a_q,     // a_q[r*NC + c]: row r's a delayed c + 1 cycles
    input  wire [NC*BB-1:0]      b_in,
    output wire [NC*NR*BB-1:0]   b_q,     // b_q[c*NR + r]: column c's b delayed r + 1 cycles
    input  wire [NC*ACC-1:0]     acc_in,  // from above, into row 0 while draining
    output wire [NR*NC*ACC-1:0]  acc      // acc[r*NC + c]
);
    localparam S = AB + BB;
    wire [NR*NC*S-1:0] prod;               // prod[r + NR*c] = a[r] * b[c]
    hwnas_pkmul #(.XB(AB), .YB(BB), .NX(NR), .NY(NC), .LUT(LUT)) mul (
        .x(a_in), .y(b_in), .p(prod));
    genvar r, c;
    generate
        for (r = 0; r < NR; r = r + 1) begin : g_r
            for (c = 0; c < NC; c = c + 1) begin : g_c
                localparam K = r * NC + c;
                wire [S-1:0] pr = prod[(r + NR * c) * S +: S];
                wire [ACC-1:0] prx;                       // sign-extended
                if (ACC > S) begin : g_ext
                    assign prx = {{(ACC-S){pr[S-1]}}, pr};
                end else begin : g_same
                    assign prx = pr[ACC-1:0];
                end
                wire [ACC-1:0] up;
                reg  [ACC-1:0] s;
                reg  [AB-1:0] ar;
                reg  [BB-1:0] br;
                wire [AB-1:0] a_prev;
                wire [BB-1:0] b_prev;
                if (r == 0) begin : g_top
                    assign up = acc_in[c*ACC +: ACC];
                    assign b_prev = b_in[c*BB +: BB];
                end else begin : g_in
                    assign up = acc[(K - NC) * ACC +: ACC];
                    assign b_prev = b_q[(c * NR + r - 1) * BB +: BB];
                end
                if (c == 0) begin : g_left
                    assign a_prev = a_in[r*AB +: AB];
                end else begin : g_right
                    assign a_prev = a_q[(K-1)*AB +: AB];
                end
                assign acc[K*ACC +: ACC] = s;
                assign a_q[K*AB +: AB] = ar;
                assign b_q[(c * NR + r) * BB +: BB] = br;
                always @(posedge clk) begin
                    if (rst) begin
                        s <= {ACC{1'b0}};
                        ar <= {AB{1'b0}};
                        br <= {BB{1'b0}};
                    end else begin
                        if (drain)
                            s <= up;
                        else
                            s <= s + prx;
                        ar <= a_prev;
                        br <= b_prev;
                    end
                end
            end
        end
    endgenerate
endmodule
