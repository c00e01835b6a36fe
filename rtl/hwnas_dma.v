// hwnas_dma: the one DMA engine. It serves one request at a time: a 2-D block of a DRAM
// matrix (base, rows x cols, row stride, in elements) moved into or out of one scratchpad
// half, one line (NB buffer words) per beat. The memory side (sim/harness) answers the
// descriptor: it delivers the load beats and raises mem_done in the request's last cycle,
// t(b) = dram_latency_cycles + ceil(b / bw) cycles after the first (docs/model.md).
//   op 0: load A -> ibuf   op 1: load B -> wbuf   op 2: load C (partial sums) -> obuf
//   op 3: store C <- obuf, final = 1: saturate(acc >>> shift) to A_BITS (act_bits bytes in DRAM),
//         final = 0: the raw acc_bits partial sums (acc_bytes in DRAM).
module hwnas_dma #(
    parameter A_BITS = 8,
    parameter W_BITS = 8,
    parameter ACC_BITS = 32,
    parameter OLANES = 4,          // obuf lanes per word (COLS)
    parameter INB = 1,
    parameter WNB = 1,
    parameter ONB = 1,
    parameter ILH = 16,            // lines per buffer half
    parameter WLH = 16,
    parameter OLH = 16
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        start,
    input  wire [1:0]  c_op,
    input  wire        c_half,
    input  wire [31:0] c_base,
    input  wire [31:0] c_rows,
    input  wire [31:0] c_cols,
    input  wire [31:0] c_stride,
    input  wire        c_layout,   // 0: lanes along a row, 1: lanes along a column
    input  wire        c_final,
    input  wire [7:0]  c_shift,
    input  wire [31:0] c_words,    // buffer words the block occupies
    output reg         busy,
    output reg         first,      // first cycle of a request (the memory side latches it)
    output reg  [1:0]  op,
    output reg  [31:0] base,
    output reg  [31:0] rows,
    output reg  [31:0] cols,
    output reg  [31:0] stride,
    output reg         layout,
    output reg         final_out,
    output reg  [31:0] bytes,
    output reg  [31:0] lines,
    input  wire        mem_rvalid, // a load beat is on the line bus this cycle
    input  wire        mem_done,   // this is the request's last cycle
    output wire        done,
    output wire        ilwe,
    output wire        wlwe,
    output wire        olwe,
    output wire [31:0] lidx,       // buffer line of this beat
    output wire        lhalf,      // the request's buffer half
    output wire [31:0] lj,         // line of this beat within the half
    output wire        olre,       // store: read obuf line lidx (ready next cycle)
    input  wire [ONB*OLANES*ACC_BITS-1:0] oline_q,   // obuf line read last cycle
    output reg         wvalid,     // a store beat is on wline (two cycles after its read)
    output reg  [ONB*OLANES*ACC_BITS-1:0] wline
);
    localparam [31:0] AB = (A_BITS + 7) / 8;
    localparam [31:0] WB = (W_BITS + 7) / 8;
    localparam [31:0] CB = (ACC_BITS + 7) / 8;

    reg        half;
    reg [7:0]  shift;
    reg [31:0] j;
    integer    l;

    // Beat words are powers of two up to 64 (a shift, not a divider: lines = ceil(words /
    // NB)); element bytes are at most 8 (shifts and adds, not a multiplier).
    localparam integer INL = $clog2(INB);
    localparam integer WNL = $clog2(WNB);
    localparam integer ONL = $clog2(ONB);
    wire [31:0] eb = (c_op == 2'd0) ? AB : (c_op == 2'd1) ? WB :
                     (c_op == 2'd2) ? CB : (c_final ? AB : CB);
    wire [31:0] rc = c_rows * c_cols;
    wire [31:0] rcb = (eb[0] ? rc : 32'd0) + (eb[1] ? rc << 1 : 32'd0) +
                      (eb[2] ? rc << 2 : 32'd0) + (eb[3] ? rc << 3 : 32'd0);
    wire [31:0] nb = (c_op == 2'd0) ? INB : (c_op == 2'd1) ? WNB : ONB;
    wire [31:0] nbl = (c_op == 2'd0) ? INL : (c_op == 2'd1) ? WNL : ONL;
    wire [31:0] lh = (op == 2'd0) ? ILH : (op == 2'd1) ? WLH : OLH;

    assign done = busy && mem_done;
    assign lidx = (half ? lh : 32'd0) + j;
    assign lhalf = half;
    assign lj = j;
    wire load_beat = busy && mem_rvalid && (op != 2'd3);
    assign ilwe = load_beat && (op == 2'd0);
    assign wlwe = load_beat && (op == 2'd1);
    assign olwe = load_beat && (op == 2'd2);
    assign olre = busy && (op == 2'd3) && (j < lines);
    reg cv;                        // oline_q holds a line to convert

    always @(posedge clk) begin
        if (rst) begin
            busy <= 1'b0;
            first <= 1'b0;
            j <= 32'd0;
            cv <= 1'b0;
            wvalid <= 1'b0;
        end else if (start) begin
            busy <= 1'b1;
            first <= 1'b1;
            j <= 32'd0;
            cv <= 1'b0;
            wvalid <= 1'b0;
            op <= c_op;
            half <= c_half;
            base <= c_base;
            rows <= c_rows;
            cols <= c_cols;
            stride <= c_stride;
            layout <= c_layout;
            final_out <= c_final;
            shift <= c_shift;
            bytes <= rcb;
            lines <= (c_words + nb - 32'd1) >> nbl;
        end else begin
            first <= 1'b0;
            if (done)
                busy <= 1'b0;
            if (load_beat || olre)
                j <= j + 32'd1;
            cv <= olre;
            wvalid <= cv;
            if (cv)
                for (l = 0; l < ONB * OLANES; l = l + 1)
                    wline[l*ACC_BITS +: ACC_BITS] <= quant(oline_q[l*ACC_BITS +: ACC_BITS]);
        end
    end

    // Store path: the final output is saturate(acc >>> shift) to A_BITS; partial sums
    // leave unchanged.
    localparam signed [ACC_BITS-1:0] QMAX = (1 <<< (A_BITS - 1)) - 1;
    localparam signed [ACC_BITS-1:0] QMIN = -(1 <<< (A_BITS - 1));
    function [ACC_BITS-1:0] quant(input [ACC_BITS-1:0] v);
        reg signed [ACC_BITS-1:0] sh;
        begin
            sh = $signed(v) >>> shift;
            if (!final_out)
                quant = v;
            else if (sh > QMAX)
                quant = QMAX;
            else if (sh < QMIN)
                quant = QMIN;
            else
                quant = sh;
        end
    endfunction

    wire unused_dma = &{1'b0, eb[31:4]};
endmodule
