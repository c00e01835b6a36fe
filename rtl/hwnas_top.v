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
    parameter PACK = 0,            // mac_packing: 0 none, 1 dsp2, 2 dsp4, 3 lut (hwnas_pkmul.v)
    parameter DBUF = 1,            // 1: two halves per scratchpad
    parameter IDEPTH = 64,         // words per half; a multiple of the bank count
    parameter WDEPTH = 64,
    parameter ODEPTH = 64,
    parameter INB = 1,             // words per DMA beat (banks), powers of two
    parameter WNB = 1,
    parameter ONB = 1,
    parameter OSTAGE = 1,          // 1: the output stage on final stores (docs/rtl.md); 0: the
                                   // saturate(acc >>> shift) store (the AXI top, for now)
    parameter QDEPTH = 64          // qbuf words of COLS channels: a final store's block is
                                   // at most QDEPTH x COLS columns wide
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
    input  wire [31:0] dq_qbase,   // final store through the output stage (OSTAGE = 1)
    input  wire [31:0] dq_zp,
    input  wire [31:0] dq_lo,
    input  wire [31:0] dq_hi,
    input  wire [31:0] dq_obase,
    input  wire [31:0] dq_ostride,
    input  wire [31:0] dq_ocols,
    input  wire [31:0] dq_qwords,
    input  wire [1:0]  dq_vop,     // vector request (docs/rtl.md "Vector unit")
    input  wire [31:0] dq_vg,
    input  wire [31:0] dq_vbase2,
    input  wire [31:0] dq_vout,
    input  wire [31:0] dq_vzp1,
    input  wire [31:0] dq_vzp2,
    input  wire [31:0] dq_vm1,
    input  wire [31:0] dq_vm2,
    input  wire [31:0] dq_vmo,
    input  wire [31:0] dq_vsh,
    // window walk of a conv's A load or a pool's input (docs/rtl.md "Window addressing"):
    // nine words for the memory side's address generator, 0 for a 2-D block
    input  wire [287:0] dq_win,
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
    output wire [31:0] dma_qwords,
    output wire [31:0] dma_qbase,
    output wire [1:0]  dma_vop,
    output wire [31:0] dma_vg,
    output wire [31:0] dma_vbase2,
    output wire [31:0] dma_vout,
    output wire [287:0] dma_win,
    input  wire        mem_rvalid,
    input  wire        mem_done,
    input  wire [INB*IWB-1:0] mem_iline,
    input  wire [WNB*WWB-1:0] mem_wline,
    input  wire [ONB*OWB-1:0] mem_oline,
    input  wire [COLS*QRB-1:0] mem_qline,
    input  wire        mem_qkeep,         // a final store's parameters still in qbuf (hwnas_dma)
    input  wire [COLS*A_BITS-1:0] mem_vline,
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
    localparam QRB = ACC_BITS + 40;
    localparam ILH = IDEPTH / INB;     // lines per half
    localparam WLH = WDEPTH / WNB;
    localparam OLH = ODEPTH / ONB;
    localparam ILAW = (HALVES * ILH > 1) ? $clog2(HALVES * ILH) : 1;
    localparam WLAW = (HALVES * WLH > 1) ? $clog2(HALVES * WLH) : 1;
    localparam OLAW = (OLH > 1) ? $clog2(OLH) : 1;          // the obuf is one memory per half
    localparam IAW = (IDEPTH > 1) ? $clog2(IDEPTH) : 1;     // word offset within a half
    localparam WAW = (WDEPTH > 1) ? $clog2(WDEPTH) : 1;
    localparam OAW = (ODEPTH > 1) ? $clog2(ODEPTH) : 1;
    localparam ILG = $clog2(INB);
    localparam WLG = $clog2(WNB);
    localparam OLG = $clog2(ONB);

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

    wire ilwe, wlwe, olwe, olre, lhalf;
    wire [31:0] lidx, lj;
    wire [ONB*OWB-1:0] oline_q;

    hwnas_dma #(.OSTAGE(OSTAGE), .QDEPTH(QDEPTH), .QRB(QRB),
                .A_BITS(A_BITS), .W_BITS(W_BITS), .ACC_BITS(ACC_BITS), .OLANES(COLS),
                .INB(INB), .WNB(WNB), .ONB(ONB), .ILH(ILH), .WLH(WLH), .OLH(OLH)) dma (
        .clk(clk), .rst(rst), .start(dq_valid && dq_ready),
        .c_op(dq_op), .c_half(dq_half), .c_base(dq_base), .c_rows(dq_rows), .c_cols(dq_cols),
        .c_stride(dq_stride), .c_layout(dq_layout), .c_final(dq_final), .c_shift(dq_shift),
        .c_words(dq_words), .c_qbase(dq_qbase), .c_zp(dq_zp), .c_lo(dq_lo), .c_hi(dq_hi), .c_obase(dq_obase),
        .c_ostride(dq_ostride), .c_ocols(dq_ocols), .c_qwords(dq_qwords),
        .c_vop(dq_vop), .c_vg(dq_vg), .c_vbase2(dq_vbase2), .c_vout(dq_vout),
        .c_vzp1(dq_vzp1), .c_vzp2(dq_vzp2), .c_vm1(dq_vm1), .c_vm2(dq_vm2), .c_vmo(dq_vmo),
        .c_vsh(dq_vsh), .c_win(dq_win),
        .busy(dma_busy), .first(dma_start), .op(dma_op), .base(dma_base), .rows(dma_rows),
        .cols(dma_cols), .stride(dma_stride), .layout(dma_layout), .final_out(dma_final),
        .bytes(dma_bytes), .lines(dma_lines), .qwords(dma_qwords),
        .qbase(dma_qbase), .vop(dma_vop), .vg(dma_vg), .vbase2(dma_vbase2),
        .vout(dma_vout), .win(dma_win), .mem_vline(mem_vline),
        .mem_rvalid(mem_rvalid), .mem_done(mem_done), .done(dma_done),
        .ilwe(ilwe), .wlwe(wlwe), .olwe(olwe), .lidx(lidx), .lhalf(lhalf), .lj(lj),
        .olre(olre), .oline_q(oline_q), .mem_qline(mem_qline),
        .mem_qkeep(mem_qkeep), .wvalid(dma_wvalid), .wline(dma_wline));

    wire rd_en, ibuf_rhalf, wbuf_rhalf, obuf_rhalf, obuf_whalf, obuf_we;
    wire [IAW-1:0] ibuf_raddr;
    wire [IWB-1:0] ibuf_rdata;
    wire [WAW-1:0] wbuf_raddr;
    wire [WWB-1:0] wbuf_rdata;
    wire [OAW-1:0] obuf_raddr, obuf_waddr;
    wire [OWB-1:0] obuf_rdata, obuf_wdata;

    // ibuf and wbuf: the DMA writes lines, the array reads words (a line read, then the
    // word chosen). A word the array reads in the cycle its line is written (a compute that
    // starts in the cycle its last load beat lands) comes from the write data instead: the
    // array sees the same contents as an asynchronous read one cycle later would.
    wire [31:0] i_roff = {{(32-IAW){1'b0}}, ibuf_raddr} >> ILG;
    wire [ILAW-1:0] i_rline = (ibuf_rhalf ? ILH[ILAW-1:0] : {ILAW{1'b0}}) + i_roff[ILAW-1:0];
    wire [INB*IWB-1:0] iline_q;
    hwnas_spad #(.WB(IWB), .NB(INB), .LINES(HALVES * ILH), .LAW(ILAW)) ibuf (
        .clk(clk), .wen({INB{ilwe}}), .waddr(lidx[ILAW-1:0]), .wdata(mem_iline),
        .ren(rd_en), .raddr(i_rline), .rdata(iline_q));
    hwnas_wordsel #(.WB(IWB), .NB(INB), .LAW(ILAW), .AW(IAW)) ibuf_word (
        .clk(clk), .ren(rd_en), .raddr(ibuf_raddr), .rline(i_rline), .line_q(iline_q),
        .lwe(ilwe), .lidx(lidx[ILAW-1:0]), .lwdata(mem_iline), .rdata(ibuf_rdata));

    wire [31:0] w_roff = {{(32-WAW){1'b0}}, wbuf_raddr} >> WLG;
    wire [WLAW-1:0] w_rline = (wbuf_rhalf ? WLH[WLAW-1:0] : {WLAW{1'b0}}) + w_roff[WLAW-1:0];
    wire [WNB*WWB-1:0] wline_q;
    hwnas_spad #(.WB(WWB), .NB(WNB), .LINES(HALVES * WLH), .LAW(WLAW)) wbuf (
        .clk(clk), .wen({WNB{wlwe}}), .waddr(lidx[WLAW-1:0]), .wdata(mem_wline),
        .ren(rd_en), .raddr(w_rline), .rdata(wline_q));
    hwnas_wordsel #(.WB(WWB), .NB(WNB), .LAW(WLAW), .AW(WAW)) wbuf_word (
        .clk(clk), .ren(rd_en), .raddr(wbuf_raddr), .rline(w_rline), .line_q(wline_q),
        .lwe(wlwe), .lidx(lidx[WLAW-1:0]), .lwdata(mem_wline), .rdata(wbuf_rdata));

    // obuf: one memory per half, each with one write and one read port. The array's
    // read-modify-write and the DMA never use the same half at once (the tile program's
    // dependencies, docs/rtl.md), so each port goes to whichever unit uses its half.
    wire [31:0] o_roff = {{(32-OAW){1'b0}}, obuf_raddr} >> OLG;
    wire [31:0] o_woff = {{(32-OAW){1'b0}}, obuf_waddr} >> OLG;
    wire [OLAW-1:0] o_rline = o_roff[OLAW-1:0];
    wire [OLAW-1:0] o_wline = o_woff[OLAW-1:0];
    wire [ONB-1:0] o_wword;
    wire [ONB*OWB-1:0] oline_h [0:HALVES-1];
    reg  o_rhalf_q;
    reg  [ONB*OWB-1:0] o_rword_line;
    genvar h;
    generate
        if (ONB == 1) begin : g_ow1
            assign o_wword = 1'b1;
        end else begin : g_own
            assign o_wword = {{(ONB-1){1'b0}}, 1'b1} << obuf_waddr[OLG-1:0];
        end
        for (h = 0; h < HALVES; h = h + 1) begin : g_oh
            wire arr_w = obuf_we && (obuf_whalf == h[0]);
            wire arr_r = rd_en && (obuf_rhalf == h[0]);
            wire dma_w = olwe && (lhalf == h[0]);
            wire dma_r = olre && (lhalf == h[0]);
            hwnas_spad #(.WB(OWB), .NB(ONB), .LINES(OLH), .LAW(OLAW)) obuf (
                .clk(clk),
                .wen(arr_w ? o_wword : {ONB{dma_w}}),
                .waddr(arr_w ? o_wline : lj[OLAW-1:0]),
                .wdata(arr_w ? {ONB{obuf_wdata}} : mem_oline),
                .ren(arr_r || dma_r),
                .raddr(arr_r ? o_rline : lj[OLAW-1:0]),
                .rdata(oline_h[h]));
        end
    endgenerate
    always @(posedge clk)
        o_rhalf_q <= obuf_rhalf;
    always @(*)
        o_rword_line = oline_h[HALVES == 2 ? o_rhalf_q : 1'b0];
    assign oline_q = oline_h[HALVES == 2 ? lhalf : 1'b0];
    hwnas_wordsel #(.WB(OWB), .NB(ONB), .LAW(OLAW), .AW(OAW)) obuf_word (
        .clk(clk), .ren(rd_en), .raddr(obuf_raddr), .rline(o_rline), .line_q(o_rword_line),
        .lwe(1'b0), .lidx({OLAW{1'b0}}), .lwdata({ONB*OWB{1'b0}}), .rdata(obuf_rdata));

    hwnas_compute #(.ROWS(ROWS), .COLS(COLS), .DF(DF), .A_BITS(A_BITS), .W_BITS(W_BITS),
                    .ACC_BITS(ACC_BITS), .PACK(PACK), .IAW(IAW), .WAW(WAW), .OAW(OAW)) core (
        .clk(clk), .rst(rst), .start(cq_valid && cq_ready),
        .c_ahalf(cq_ahalf), .c_bhalf(cq_bhalf), .c_chalf(cq_chalf), .c_init(cq_init),
        .c_tm(cq_tm), .c_tn(cq_tn), .c_tk(cq_tk), .c_nout(cq_nout), .c_nin(cq_nin),
        .busy(arr_busy), .done(cmp_done), .rd_en(rd_en),
        .ibuf_rhalf(ibuf_rhalf), .ibuf_raddr(ibuf_raddr), .ibuf_rdata(ibuf_rdata),
        .wbuf_rhalf(wbuf_rhalf), .wbuf_raddr(wbuf_raddr), .wbuf_rdata(wbuf_rdata),
        .obuf_rhalf(obuf_rhalf), .obuf_raddr(obuf_raddr), .obuf_rdata(obuf_rdata),
        .obuf_whalf(obuf_whalf), .obuf_waddr(obuf_waddr), .obuf_we(obuf_we),
        .obuf_wdata(obuf_wdata));

    wire unused_top = &{1'b0, lidx, lj, i_roff, w_roff, o_roff, o_woff};
endmodule
