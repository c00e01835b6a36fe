// hwnas_axi: hwnas_top behind standard interfaces, for a Vivado block design or any SoC.
//   s_axil_*  AXI4-Lite slave: control and status registers (docs/deploy.md)
//   m_axi_*   AXI4 master: DRAM (the tile program, weights, activations, partial sums)
//   irq       level interrupt: done (or error) while CTRL.irq_en is set
// A host writes the two command lists' addresses and lengths and sets CTRL.start; the top
// resets the core, fetches both lists from DRAM, runs them and raises STATUS.done. hwnas_top
// is instantiated unchanged, with its output stage (final stores requantised with per-channel
// parameter records that the master reads from DRAM); hwnas_axi_mem turns its memory side
// into AXI bursts, walking a conv's windows and a vector request's (pool, add) input words
// itself (192-byte DMA records, docs/deploy.md "Program format").
module hwnas_axi #(
    parameter ROWS = 4,
    parameter COLS = 4,
    parameter DF = 0,
    parameter A_BITS = 8,
    parameter W_BITS = 8,
    parameter ACC_BITS = 32,
    parameter PACK = 0,            // mac_packing (docs/rtl.md "Packed MACs")
    parameter DBUF = 1,
    parameter IDEPTH = 64,
    parameter WDEPTH = 64,
    parameter ODEPTH = 64,
    parameter INB = 1,
    parameter WNB = 1,
    parameter ONB = 1,
    parameter AXI_DW = 64,         // DRAM bus bits: 64, 128 or 256
    parameter MAXB = 16,           // beats per burst (AXI4 INCR: at most 256)
    parameter MAXOUT = 16          // outstanding bursts per direction
) (
    input  wire        clk,
    input  wire        rst,        // synchronous, active high
    output wire        irq,
    // AXI4-Lite slave
    input  wire        s_axil_awvalid,
    output wire        s_axil_awready,
    input  wire [7:0]  s_axil_awaddr,
    input  wire [2:0]  s_axil_awprot,
    input  wire        s_axil_wvalid,
    output wire        s_axil_wready,
    input  wire [31:0] s_axil_wdata,
    input  wire [3:0]  s_axil_wstrb,
    output wire        s_axil_bvalid,
    input  wire        s_axil_bready,
    output wire [1:0]  s_axil_bresp,
    input  wire        s_axil_arvalid,
    output wire        s_axil_arready,
    input  wire [7:0]  s_axil_araddr,
    input  wire [2:0]  s_axil_arprot,
    output wire        s_axil_rvalid,
    input  wire        s_axil_rready,
    output wire [31:0] s_axil_rdata,
    output wire [1:0]  s_axil_rresp,
    // AXI4 master (ID 0 throughout)
    output wire        m_axi_arvalid,
    input  wire        m_axi_arready,
    output wire [31:0] m_axi_araddr,
    output wire [7:0]  m_axi_arlen,
    output wire [2:0]  m_axi_arsize,
    output wire [1:0]  m_axi_arburst,
    output wire [3:0]  m_axi_arcache,
    output wire [2:0]  m_axi_arprot,
    input  wire        m_axi_rvalid,
    output wire        m_axi_rready,
    input  wire [AXI_DW-1:0] m_axi_rdata,
    input  wire [1:0]  m_axi_rresp,
    input  wire        m_axi_rlast,
    output wire        m_axi_awvalid,
    input  wire        m_axi_awready,
    output wire [31:0] m_axi_awaddr,
    output wire [7:0]  m_axi_awlen,
    output wire [2:0]  m_axi_awsize,
    output wire [1:0]  m_axi_awburst,
    output wire [3:0]  m_axi_awcache,
    output wire [2:0]  m_axi_awprot,
    output wire        m_axi_wvalid,
    input  wire        m_axi_wready,
    output wire [AXI_DW-1:0] m_axi_wdata,
    output wire [AXI_DW/8-1:0] m_axi_wstrb,
    output wire        m_axi_wlast,
    input  wire        m_axi_bvalid,
    output wire        m_axi_bready,
    input  wire [1:0]  m_axi_bresp
);
    localparam ILANES = (DF == 2) ? COLS : ROWS;
    localparam WLANES = (DF == 2) ? ROWS : COLS;
    localparam SW0 = (IDEPTH > WDEPTH) ? IDEPTH : WDEPTH;
    localparam SW = (SW0 > ODEPTH) ? SW0 : ODEPTH;
    localparam [31:0] PARAMS0 = ROWS + (COLS << 8) + (DF << 16) + (DBUF << 18) +
                                ((AXI_DW / 8) << 24);
    localparam [31:0] PARAMS1 = A_BITS + (W_BITS << 8) + (ACC_BITS << 16) + ((MAXB - 1) << 24);

    assign m_axi_arcache = 4'b0011;
    assign m_axi_awcache = 4'b0011;
    assign m_axi_arprot = 3'b000;
    assign m_axi_awprot = 3'b000;

    wire start, irq_en, clr_done;
    wire [31:0] dq_addr, dq_count, cq_addr, cq_count;
    wire running, done, error, go;
    wire [31:0] cycles, arr_cycles, dma_cycles;
    wire core_rst = rst || go;

    // the core
    wire dq_valid, dq_ready, cq_valid, cq_ready;
    wire [1535:0] dq_rec;          // 192-byte DMA record (docs/deploy.md "Program format")
    wire [255:0] cq_rec;
    wire [COLS*A_BITS-1:0] mem_vline;
    // bit 7 of word 0: the record's words 16..47 were fetched (a window or vector request);
    // without it they hold an older record's and are not used
    wire rec_ext = dq_rec[7];
    wire [COLS*(ACC_BITS+40)-1:0] mem_qline;
    wire mem_qkeep;
    wire dma_busy, dma_start, dma_layout, dma_final, mem_rvalid, mem_done, dma_wvalid;
    wire [1:0] dma_op;
    wire [31:0] dma_base, dma_rows, dma_cols, dma_stride, dma_bytes, dma_lines;
    wire [INB*ILANES*A_BITS-1:0] mem_iline;
    wire [WNB*WLANES*W_BITS-1:0] mem_wline;
    wire [ONB*COLS*ACC_BITS-1:0] mem_oline, dma_wline;
    wire arr_busy;
    wire [31:0] dma_count, cmp_count, dq_fetched, cq_fetched, rd_bytes, wr_bytes;
    wire axi_error, axi_quiet, mem_idle;
    wire [31:0] dma_qwords, dma_qbase, dma_vg, dma_vbase2, dma_vout;
    wire [1:0] dma_vop;
    wire [287:0] dma_win;

    hwnas_top #(.ROWS(ROWS), .COLS(COLS), .DF(DF), .A_BITS(A_BITS), .W_BITS(W_BITS),
                .ACC_BITS(ACC_BITS), .PACK(PACK), .DBUF(DBUF), .IDEPTH(IDEPTH),
                .WDEPTH(WDEPTH), .ODEPTH(ODEPTH), .INB(INB), .WNB(WNB), .ONB(ONB),
                .OSTAGE(1)) core (
        .clk(clk), .rst(core_rst),
        .dq_valid(dq_valid), .dq_ready(dq_ready), .dq_op(dq_rec[1:0]), .dq_half(dq_rec[2]),
        .dq_base(dq_rec[63:32]), .dq_rows(dq_rec[95:64]), .dq_cols(dq_rec[127:96]),
        .dq_stride(dq_rec[159:128]), .dq_layout(dq_rec[3]), .dq_final(dq_rec[4]),
        .dq_shift(dq_rec[15:8]), .dq_words(dq_rec[191:160]), .dq_wait(dq_rec[223:192]),
        // the output stage: zp, lo, hi are 16-bit two's complement in the record
        .dq_qbase(dq_rec[287:256]), .dq_zp({{16{dq_rec[31]}}, dq_rec[31:16]}),
        .dq_lo({{16{dq_rec[239]}}, dq_rec[239:224]}), .dq_hi({{16{dq_rec[255]}}, dq_rec[255:240]}),
        .dq_obase(dq_rec[319:288]), .dq_ostride(dq_rec[351:320]),
        .dq_ocols(dq_rec[383:352]), .dq_qwords(dq_rec[415:384]), .mem_qline(mem_qline),
        .mem_qkeep(mem_qkeep),
        // the vector unit's fields (words 13..21) and the window descriptor (22..30)
        .dq_vop(rec_ext ? dq_rec[6:5] : 2'd0), .dq_vg(dq_rec[447:416]), .dq_vbase2(dq_rec[479:448]),
        .dq_vout(dq_rec[511:480]), .dq_vzp1(dq_rec[543:512]), .dq_vzp2(dq_rec[575:544]),
        .dq_vm1(dq_rec[607:576]), .dq_vm2(dq_rec[639:608]), .dq_vmo(dq_rec[671:640]),
        .dq_vsh(dq_rec[703:672]), .mem_vline(mem_vline), .dma_vop(dma_vop), .dma_vg(dma_vg),
        .dma_vbase2(dma_vbase2), .dma_vout(dma_vout),
        .dq_win(rec_ext ? dq_rec[991:704] : 288'd0), .dma_win(dma_win),
        .dma_qwords(dma_qwords), .dma_qbase(dma_qbase),
        .cq_valid(cq_valid), .cq_ready(cq_ready), .cq_ahalf(cq_rec[0]), .cq_bhalf(cq_rec[1]),
        .cq_chalf(cq_rec[2]), .cq_init(cq_rec[3]), .cq_tm(cq_rec[63:32]),
        .cq_tn(cq_rec[95:64]), .cq_tk(cq_rec[127:96]), .cq_nout(cq_rec[159:128]),
        .cq_nin(cq_rec[191:160]), .cq_wait(cq_rec[223:192]),
        .dma_busy(dma_busy), .dma_start(dma_start), .dma_op(dma_op), .dma_base(dma_base),
        .dma_rows(dma_rows), .dma_cols(dma_cols), .dma_stride(dma_stride),
        .dma_layout(dma_layout), .dma_final(dma_final), .dma_bytes(dma_bytes),
        .dma_lines(dma_lines), .mem_rvalid(mem_rvalid), .mem_done(mem_done),
        .mem_iline(mem_iline), .mem_wline(mem_wline), .mem_oline(mem_oline),
        .dma_wvalid(dma_wvalid), .dma_wline(dma_wline),
        .arr_busy(arr_busy), .dma_count(dma_count), .cmp_count(cmp_count));

    hwnas_axi_mem #(.DW(AXI_DW), .MAXB(MAXB), .MAXOUT(MAXOUT), .A_BITS(A_BITS),
                    .W_BITS(W_BITS), .ACC_BITS(ACC_BITS), .ILANES(ILANES), .WLANES(WLANES),
                    .OLANES(COLS), .INB(INB), .WNB(WNB), .ONB(ONB), .SW(SW)) mem (
        .clk(clk), .rst(core_rst), .run(running),
        .dq_addr(dq_addr), .dq_count(dq_count), .cq_addr(cq_addr), .cq_count(cq_count),
        .dq_fetched(dq_fetched), .cq_fetched(cq_fetched), .axi_error(axi_error),
        .axi_quiet(axi_quiet),
        .idle(mem_idle), .rd_bytes(rd_bytes), .wr_bytes(wr_bytes),
        .dq_valid(dq_valid), .dq_ready(dq_ready), .dq_rec(dq_rec),
        .cq_valid(cq_valid), .cq_ready(cq_ready), .cq_rec(cq_rec),
        .dma_start(dma_start), .dma_op(dma_op), .dma_base(dma_base), .dma_rows(dma_rows),
        .dma_cols(dma_cols), .dma_stride(dma_stride), .dma_layout(dma_layout),
        .dma_final(dma_final), .dma_lines(dma_lines), .dma_qbase(dma_qbase),
        .dma_vop(dma_vop), .dma_vg(dma_vg), .dma_vbase2(dma_vbase2), .dma_vout(dma_vout),
        .dma_win(dma_win), .mem_vline(mem_vline),
        .mem_rvalid(mem_rvalid), .mem_qline(mem_qline), .mem_qkeep(mem_qkeep),
        .mem_done(mem_done), .mem_iline(mem_iline), .mem_wline(mem_wline),
        .mem_oline(mem_oline), .dma_wvalid(dma_wvalid), .dma_wline(dma_wline),
        .m_arvalid(m_axi_arvalid), .m_arready(m_axi_arready), .m_araddr(m_axi_araddr),
        .m_arlen(m_axi_arlen), .m_arsize(m_axi_arsize), .m_arburst(m_axi_arburst),
        .m_rvalid(m_axi_rvalid), .m_rready(m_axi_rready), .m_rdata(m_axi_rdata),
        .m_rresp(m_axi_rresp), .m_rlast(m_axi_rlast),
        .m_awvalid(m_axi_awvalid), .m_awready(m_axi_awready), .m_awaddr(m_axi_awaddr),
        .m_awlen(m_axi_awlen), .m_awsize(m_axi_awsize), .m_awburst(m_axi_awburst),
        .m_wvalid(m_axi_wvalid), .m_wready(m_axi_wready), .m_wdata(m_axi_wdata),
        .m_wstrb(m_axi_wstrb), .m_wlast(m_axi_wlast),
        .m_bvalid(m_axi_bvalid), .m_bready(m_axi_bready), .m_bresp(m_axi_bresp));

    hwnas_axil #(.PARAMS0(PARAMS0), .PARAMS1(PARAMS1)) regs (
        .clk(clk), .rst(rst),
        .s_awvalid(s_axil_awvalid), .s_awready(s_axil_awready), .s_awaddr(s_axil_awaddr),
        .s_wvalid(s_axil_wvalid), .s_wready(s_axil_wready), .s_wdata(s_axil_wdata),
        .s_wstrb(s_axil_wstrb), .s_bvalid(s_axil_bvalid), .s_bready(s_axil_bready),
        .s_bresp(s_axil_bresp), .s_arvalid(s_axil_arvalid), .s_arready(s_axil_arready),
        .s_araddr(s_axil_araddr), .s_rvalid(s_axil_rvalid), .s_rready(s_axil_rready),
        .s_rdata(s_axil_rdata), .s_rresp(s_axil_rresp),
        .start(start), .irq_en(irq_en), .clr_done(clr_done),
        .dq_addr(dq_addr), .dq_count(dq_count), .cq_addr(cq_addr), .cq_count(cq_count),
        .st_busy(running), .st_done(done), .st_error(error), .st_cycles(cycles),
        .st_dma_count(dma_count), .st_cmp_count(cmp_count), .st_arr_busy(arr_cycles),
        .st_dma_busy(dma_cycles), .st_rd_bytes(rd_bytes), .st_wr_bytes(wr_bytes));

    wire finished = dq_fetched == dq_count && cq_fetched == cq_count &&
                    dma_count == dq_count && cmp_count == cq_count &&
                    !dma_busy && !arr_busy && mem_idle;

    hwnas_axi_ctl ctl (
        .clk(clk), .rst(rst), .start(start), .clr_done(clr_done), .axi_error(axi_error),
        .axi_quiet(axi_quiet), .finished(finished), .arr_busy(arr_busy), .dma_busy(dma_busy),
        .go(go), .running(running), .done(done), .error(error), .cycles(cycles),
        .arr_cycles(arr_cycles), .dma_cycles(dma_cycles));
    assign irq = irq_en && done;

    wire unused_axi = &{1'b0, dma_qwords,
                        s_axil_awprot, s_axil_arprot, dma_bytes, dq_rec[1535:992],
                        cq_rec[255:224], cq_rec[31:4]};
endmodule

// hwnas_axi_ctl: the run control of hwnas_axi (STATUS and the counters, docs/deploy.md).
// CTRL.start (start) begins a run only while none is running (go: it resets the core and the
// master); a start while busy is ignored. A run ends with done when the program finished,
// or, after an AXI error response, with done and error once the master has nothing
// outstanding on AXI (axi_quiet: every burst answered, every W burst begun complete).
module hwnas_axi_ctl (
    input  wire        clk,
    input  wire        rst,
    input  wire        start,
    input  wire        clr_done,
    input  wire        axi_error,
    input  wire        axi_quiet,
    input  wire        finished,
    input  wire        arr_busy,
    input  wire        dma_busy,
    output wire        go,
    output reg         running,
    output reg         done,
    output reg         error,
    output reg  [31:0] cycles,
    output reg  [31:0] arr_cycles,
    output reg  [31:0] dma_cycles
);
    assign go = start && !running;

    always @(posedge clk) begin
        if (rst) begin
            running <= 1'b0;
            done <= 1'b0;
            error <= 1'b0;
            cycles <= 32'd0;
            arr_cycles <= 32'd0;
            dma_cycles <= 32'd0;
        end else if (go) begin
            running <= 1'b1;
            done <= 1'b0;
            error <= 1'b0;
            cycles <= 32'd0;
            arr_cycles <= 32'd0;
            dma_cycles <= 32'd0;
        end else begin
            if (running) begin
                cycles <= cycles + 32'd1;
                arr_cycles <= arr_cycles + {31'd0, arr_busy};
                dma_cycles <= dma_cycles + {31'd0, dma_busy};
                if (axi_error) begin
                    if (axi_quiet) begin
                        running <= 1'b0;
                        done <= 1'b1;
                        error <= 1'b1;
                    end
                end else if (finished) begin
                    running <= 1'b0;
                    done <= 1'b1;
                end
            end
            if (clr_done) begin
                done <= 1'b0;
                error <= 1'b0;
            end
        end
    end

`ifdef FORMAL
    // Properties (formal/run.sh, yosys-smtbmc: bounded and by induction). Inputs are free.
    reg f_past = 1'b0;
    always @(posedge clk)
        f_past <= 1'b1;
    always @(*)
        if (!f_past)
            assume(rst);
    always @(*)
        if (f_past && !rst) begin
            // a start while busy changes nothing: no reset of the core or the master
            if (running)
                assert(!go);
            assert(!(running && done));
            assert(!(running && error));
        end
    always @(posedge clk)
        if (f_past && !$past(rst)) begin
            // a start while busy changes nothing: the run goes on, its counters count on
            if ($past(running && start)) begin
                assert(cycles == $past(cycles) + 32'd1);
                assert(arr_cycles == $past(arr_cycles) + {31'd0, $past(arr_busy)});
                assert(dma_cycles == $past(dma_cycles) + {31'd0, $past(dma_busy)});
                assert(running || done || $past(clr_done));
            end
            // a run ends after an AXI error only when nothing is outstanding on AXI, and
            // then with error; done (idle) after an error implies that
            if ($past(running) && !running) begin
                assert(!$past(axi_error) || $past(axi_quiet));
                if (!$past(clr_done))
                    assert(done && error == $past(axi_error));
            end
            if ($past(running && axi_error && !axi_quiet))
                assert(running);
        end
`endif
endmodule
