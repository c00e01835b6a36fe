// hwnas_top: the accelerator of docs/model.md. A controller with two command queues (DMA and
// compute, fed by the host one command at a time), the DMA engine, three banked scratchpads
// and the ROWS x COLS systolic array. Dependencies are counters, in the spirit of VTA's and
// Gemmini's decoupled queues: a DMA command waits until `dq_wait` compute commands have
// finished, a compute command until `cq_wait` DMA commands have. A unit takes its next
// command in the same cycle its current one finishes, so there is no bubble between them.
// docs/rtl.md describes the block diagram and each command's cycle behaviour.
module hwnas_top #(
    parameter ROWS = 4,
    parameter COLS = 4,
    parameter DF = 0,              // 0 ws, 1 os, 2 is (ws on the transposed problem)
    parameter A_BITS = 8,
    parameter W_BITS = 8,
    parameter ACC_BITS = 32,
    parameter DBUF = 1,            // 1: two halves per scratchpad
    parameter IDEPTH = 64,         // words per half; a multiple of the bank count
    parameter WDEPTH = 64,
    parameter ODEPTH = 64,
    parameter INB = 1,             // words per DMA beat (banks), powers of two
    parameter WNB = 1,
    parameter ONB = 1
) (
    input  wire        clk,
    input  wire        rst,
    // DMA command queue head
    input  wire        dq_valid,
    output wire        dq_ready,
    input  wire [1:0]  dq_op,
    input  wire        dq_half,
    input  wire [31:0] dq_base,
    input  wire [31:0] dq_rows,
    input  wire [31:0] dq_cols,
    input  wire [31:0] dq_stride,
    input  wire        dq_layout,
    input  wire        dq_final,
    input  wire [7:0]  dq_shift,
    input  wire [31:0] dq_words,
    input  wire [31:0] dq_wait,
    // compute command queue head
    input  wire        cq_valid,
    output wire        cq_ready,
    input  wire        cq_ahalf,
    input  wire        cq_bhalf,
    input  wire        cq_chalf,
    input  wire        cq_init,
    input  wire [31:0] cq_tm,
    input  wire [31:0] cq_tn,
    input  wire [31:0] cq_tk,
    input  wire [31:0] cq_nout,
    input  wire [31:0] cq_nin,
    input  wire [31:0] cq_wait,
    // memory side of the DMA
    output wire        dma_busy,
    output wire        dma_start,
    output wire [1:0]  dma_op,
    output wire [31:0] dma_base,
    output wire [31:0] dma_rows,
    output wire [31:0] dma_cols,
    output wire [31:0] dma_stride,
    output wire        dma_layout,
    output wire        dma_final,
    output wire [31:0] dma_bytes,
    output wire [31:0] dma_lines,
    input  wire        mem_rvalid,
    input  wire        mem_done,
    input  wire [INB*IWB-1:0] mem_iline,
    input  wire [WNB*WWB-1:0] mem_wline,
    input  wire [ONB*OWB-1:0] mem_oline,
    output wire        dma_wvalid,
    output wire [ONB*OWB-1:0] dma_wline,
    // status
    output wire        arr_busy,
    output reg  [31:0] dma_count,   // DMA commands finished
    output reg  [31:0] cmp_count    // compute commands finished
);
    localparam HALVES = DBUF ? 2 : 1;
    localparam IWB = ((DF == 2) ? COLS : ROWS) * A_BITS;
    localparam WWB = ((DF == 2) ? ROWS : COLS) * W_BITS;
    localparam OWB = COLS * ACC_BITS;
    localparam ILH = IDEPTH / INB;
    localparam WLH = WDEPTH / WNB;
    localparam OLH = ODEPTH / ONB;
    localparam IAW = (HALVES * IDEPTH > 1) ? $clog2(HALVES * IDEPTH) : 1;
    localparam WAW = (HALVES * WDEPTH > 1) ? $clog2(HALVES * WDEPTH) : 1;
    localparam OAW = (HALVES * ODEPTH > 1) ? $clog2(HALVES * ODEPTH) : 1;
    localparam ILAW = (HALVES * ILH > 1) ? $clog2(HALVES * ILH) : 1;
    localparam WLAW = (HALVES * WLH > 1) ? $clog2(HALVES * WLH) : 1;
    localparam OLAW = (HALVES * OLH > 1) ? $clog2(HALVES * OLH) : 1;

    wire dma_done, cmp_done;
    wire [31:0] dma_next = dma_count + {31'd0, dma_done};
    wire [31:0] cmp_next = cmp_count + {31'd0, cmp_done};
    assign dq_ready = (!dma_busy || dma_done) && (cmp_next >= dq_wait);
    assign cq_ready = (!arr_busy || cmp_done) && (dma_next >= cq_wait);

    always @(posedge clk) begin
        if (rst) begin
            dma_count <= 32'd0;
            cmp_count <= 32'd0;
        end else begin
            dma_count <= dma_next;
            cmp_count <= cmp_next;
        end
    end

    wire ilwe, wlwe, olwe, olre;
    wire [31:0] lidx;
    wire [ONB*OWB-1:0] oline_q;

    hwnas_dma #(.A_BITS(A_BITS), .W_BITS(W_BITS), .ACC_BITS(ACC_BITS), .OLANES(COLS),
                .INB(INB), .WNB(WNB), .ONB(ONB), .ILH(ILH), .WLH(WLH), .OLH(OLH)) dma (
        .clk(clk), .rst(rst), .start(dq_valid && dq_ready),
        .c_op(dq_op), .c_half(dq_half), .c_base(dq_base), .c_rows(dq_rows), .c_cols(dq_cols),
        .c_stride(dq_stride), .c_layout(dq_layout), .c_final(dq_final), .c_shift(dq_shift),
        .c_words(dq_words),
        .busy(dma_busy), .first(dma_start), .op(dma_op), .base(dma_base), .rows(dma_rows),
        .cols(dma_cols), .stride(dma_stride), .layout(dma_layout), .final_out(dma_final),
        .bytes(dma_bytes), .lines(dma_lines),
        .mem_rvalid(mem_rvalid), .mem_done(mem_done), .done(dma_done),
        .ilwe(ilwe), .wlwe(wlwe), .olwe(olwe), .lidx(lidx), .olre(olre),
        .oline_q(oline_q), .wvalid(dma_wvalid), .wline(dma_wline));

    wire [IAW-1:0] ibuf_raddr;
    wire [IWB-1:0] ibuf_rdata;
    wire [WAW-1:0] wbuf_raddr;
    wire [WWB-1:0] wbuf_rdata;
    wire [OAW-1:0] obuf_addr;
    wire [OWB-1:0] obuf_rdata, obuf_wdata;
    wire obuf_we;
    wire [INB*IWB-1:0] iline_q_unused;
    wire [WNB*WWB-1:0] wline_q_unused;

    hwnas_spad #(.WB(IWB), .NB(INB), .LINES(HALVES * ILH), .LAW(ILAW), .AW(IAW)) ibuf (
        .clk(clk), .lwe(ilwe), .lre(1'b0), .lidx(lidx[ILAW-1:0]), .lwdata(mem_iline),
        .lrdata(iline_q_unused),
        .raddr(ibuf_raddr), .rdata(ibuf_rdata), .we(1'b0), .waddr({IAW{1'b0}}),
        .wdata({IWB{1'b0}}));
    hwnas_spad #(.WB(WWB), .NB(WNB), .LINES(HALVES * WLH), .LAW(WLAW), .AW(WAW)) wbuf (
        .clk(clk), .lwe(wlwe), .lre(1'b0), .lidx(lidx[WLAW-1:0]), .lwdata(mem_wline),
        .lrdata(wline_q_unused),
        .raddr(wbuf_raddr), .rdata(wbuf_rdata), .we(1'b0), .waddr({WAW{1'b0}}),
        .wdata({WWB{1'b0}}));
    hwnas_spad #(.WB(OWB), .NB(ONB), .LINES(HALVES * OLH), .LAW(OLAW), .AW(OAW)) obuf (
        .clk(clk), .lwe(olwe), .lre(olre), .lidx(lidx[OLAW-1:0]), .lwdata(mem_oline),
        .lrdata(oline_q),
        .raddr(obuf_addr), .rdata(obuf_rdata), .we(obuf_we), .waddr(obuf_addr),
        .wdata(obuf_wdata));

    hwnas_compute #(.ROWS(ROWS), .COLS(COLS), .DF(DF), .A_BITS(A_BITS), .W_BITS(W_BITS),
                    .ACC_BITS(ACC_BITS), .IAW(IAW), .WAW(WAW), .OAW(OAW), .IDEPTH(IDEPTH),
                    .WDEPTH(WDEPTH), .ODEPTH(ODEPTH)) core (
        .clk(clk), .rst(rst), .start(cq_valid && cq_ready),
        .c_ahalf(cq_ahalf), .c_bhalf(cq_bhalf), .c_chalf(cq_chalf), .c_init(cq_init),
        .c_tm(cq_tm), .c_tn(cq_tn), .c_tk(cq_tk), .c_nout(cq_nout), .c_nin(cq_nin),
        .busy(arr_busy), .done(cmp_done),
        .ibuf_raddr(ibuf_raddr), .ibuf_rdata(ibuf_rdata),
        .wbuf_raddr(wbuf_raddr), .wbuf_rdata(wbuf_rdata),
        .obuf_addr(obuf_addr), .obuf_rdata(obuf_rdata), .obuf_we(obuf_we),
        .obuf_wdata(obuf_wdata));

    wire unused_top = &{1'b0, iline_q_unused, wline_q_unused, lidx};
endmodule
