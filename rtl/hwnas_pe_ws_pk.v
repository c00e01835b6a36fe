// Packed processing elements (mac_packing dsp2, dsp4, lut; docs/rtl.md "Packed MACs").
// Products and sums wrap modulo 2^ACC, exactly as the one-MAC PEs of hwnas_pe_ws.v and
// hwnas_pe_os.v, so the C reference of sim/ is unchanged.

// Stationary-operand block (ws, and is on the transpose): NC horizontally adjacent PEs of one
// row that share the streamed operand a. All NC multiply a in the cycle it reaches the block's
// first column (column j0): the block's columns run at column j0's timing, their partial sums
// flow down at that timing, and hwnas_compute's deskew delays them from column j0's position.
// a leaves the block after NC registers, so the next block sees it at its own column's time.
module hwnas_pe_ws_pk #(
    parameter SB = 8,         // stationary operand bits
    parameter FB = 8,         // streamed (shared) operand bits
    parameter ACC = 32,
    parameter NC = 2,
    parameter LUT = 0
) (
    input  wire                clk,
    input  wire                rst,
    input  wire                wload,
    input  wire [NC*SB-1:0]    w_in,
    output reg  [NC*SB-1:0]    w,
    input  wire [FB-1:0]       a_in,
    output wire [NC*FB-1:0]    a_q,      // a_q[c]: a_in delayed c + 1 cycles
    input  wire [NC*ACC-1:0]   p_in,
    output wire [NC*ACC-1:0]   p_next,   // this cycle's sums (used by the bottom row)
    output reg  [NC*ACC-1:0]   p_out
);
    localparam S = SB + FB;
    wire [NC*S-1:0] prod;
    hwnas_pkmul #(.XB(SB), .YB(FB), .NX(NC), .NY(1), .LUT(LUT)) mul (
        .x(w), .y(a_in), .p(prod));
    genvar c;
    generate
        for (c = 0; c < NC; c = c + 1) begin : g_c
            reg [FB-1:0] ar;
            wire [FB-1:0] prev;
            if (c == 0) begin : g_first
                assign prev = a_in;
            end else begin : g_next
                assign prev = a_q[(c-1)*FB +: FB];
            end
            assign a_q[c*FB +: FB] = ar;
            wire [S-1:0] pr = prod[c*S +: S];
            wire [ACC-1:0] prx;                           // sign-extended
            if (ACC > S) begin : g_ext
                assign prx = {{(ACC-S){pr[S-1]}}, pr};
            end else begin : g_same
                assign prx = pr[ACC-1:0];
            end
            assign p_next[c*ACC +: ACC] = p_in[c*ACC +: ACC] + prx;
            always @(posedge clk) begin
                if (rst)
                    ar <= {FB{1'b0}};
                else
                    ar <= prev;
            end
        end
    endgenerate
    always @(posedge clk) begin
        if (rst) begin
            w <= {(NC*SB){1'b0}};
            p_out <= {(NC*ACC){1'b0}};
        end else begin
            if (wload)
                w <= w_in;
            p_out <= p_next;
        end
    end
endmodule

