// hwnas_axi_mem: the AXI4 master of hwnas_axi. It does two jobs on one AXI port:
//
//  * program fetch: two fetchers read the DMA list (192-byte records from a 64-byte aligned
//    address: the first 64 bytes as two 32-byte bursts, the other 128 as four more when bit 7
//    of word 0 says the record has them: a window walk or a vector request) and the compute
//    list (32-byte records, 32-byte aligned); the low address bits are ignored
//    (docs/deploy.md). Each record is presented as the head of hwnas_top's queue;
//  * the memory side of hwnas_top's DMA: for a load it reads the 2-D block (rows x cols
//    elements at base + r x stride, byte addresses) with INCR bursts, one row per run of
//    bursts, unpacks the elements (one per cycle) into a staging buffer in the scratchpad's
//    word layout, then hands the lines to the DMA one per cycle; a final store first reads
//    its cols 16-byte parameter records (bias; multiplier | shift << 32) and hands them to
//    the DMA's qbuf a word (OLANES channels) at a time; a store captures the DMA's lines (or
//    output words) into the staging buffer as they come and writes the block back as soon as
//    each element's word is in, packed into beats with byte strobes a chunk a cycle (the
//    elements of one staging row in one beat, to the row's end, their words captured).
//    A final store whose records are the previous final store's reads none (mem_qkeep: the
//    DMA's qbuf still holds them).
//    A conv's A load with a window (docs/rtl.md "Window addressing") is read as runs (a
//    tap's channels, or pad runs without a burst) instead of rows; a vector request streams
//    its input words to the vector unit (mem_vline) and writes its output words back at vout
//    (the "runs" section below, hwnas_axi_runs at the end of this file).
//
// AXI rules kept (and proved in formal/): a burst never crosses a 4 KiB boundary and has at
// most MAXB beats; every address is aligned to the bus width (the first and last beats of a
// row carry strobes / unused bytes); at most MAXOUT read bursts and MAXOUT write bursts are
// outstanding; one ID (0), so responses come back in order. Element bytes must be 1, 2, 4 or
// 8 and element addresses aligned to them (hwnas compile lays memory out that way); a request
// has rows, cols >= 1, rows of less than 1 MiB (hwnas_top's never come near) and does not
// wrap around the 32-bit address space; the bus
// is 64 to 256 bits and MAXB >= 32 / (DW / 8) (a command record of 32 bytes is one burst).
module hwnas_axi_mem #(
    parameter DW = 64,             // AXI data bits: 64, 128 or 256
    parameter MAXB = 16,           // beats per burst, 1..256
    parameter MAXOUT = 16,         // outstanding bursts per direction, 1..16
    parameter A_BITS = 8,
    parameter W_BITS = 8,
    parameter ACC_BITS = 32,
    parameter ILANES = 4,
    parameter WLANES = 4,
    parameter OLANES = 4,
    parameter INB = 1,
    parameter WNB = 1,
    parameter ONB = 1,
    parameter SW = 64              // staging words (the largest buffer half)
) (
    input  wire        clk,
    input  wire        rst,
    // control
    input  wire        run,               // fetch while set
    input  wire [31:0] dq_addr,
    input  wire [31:0] dq_count,
    input  wire [31:0] cq_addr,
    input  wire [31:0] cq_count,
    output reg  [31:0] dq_fetched,        // records handed to the core
    output reg  [31:0] cq_fetched,
    output wire        axi_error,         // a SLVERR/DECERR response was seen (sticky)
    output wire        axi_quiet,         // nothing outstanding on AXI, no W beat owed
    output wire        idle,              // no DMA request in progress
    output reg  [31:0] rd_bytes,          // data bytes read and written for the DMA
    output reg  [31:0] wr_bytes,
    // command queue heads of hwnas_top
    output wire        dq_valid,
    input  wire        dq_ready,
    output wire [1535:0] dq_rec,
    output wire        cq_valid,
    input  wire        cq_ready,
    output wire [255:0] cq_rec,
    // memory side of hwnas_top's DMA
    input  wire        dma_start,
    input  wire [1:0]  dma_op,
    input  wire [31:0] dma_base,
    input  wire [31:0] dma_rows,
    input  wire [31:0] dma_cols,
    input  wire [31:0] dma_stride,
    input  wire        dma_layout,
    input  wire        dma_final,
    input  wire [31:0] dma_lines,
    input  wire [31:0] dma_qbase,         // a final store's parameter records (byte address)
    input  wire [1:0]  dma_vop,           // a vector request (op 3): 1 max, 2 average, 3 add
    input  wire [31:0] dma_vg,            // its input words per output word
    input  wire [31:0] dma_vbase2,        // an add's second input, the output (byte addresses)
    input  wire [31:0] dma_vout,
    input  wire [287:0] dma_win,          // the window descriptor (docs/rtl.md)
    output wire [OLANES*A_BITS-1:0] mem_vline,          // a vector request's input word
    output wire        mem_rvalid,
    output wire        mem_done,
    output wire [INB*ILANES*A_BITS-1:0]   mem_iline,
    output wire [WNB*WLANES*W_BITS-1:0]   mem_wline,
    output wire [ONB*OLANES*ACC_BITS-1:0] mem_oline,
    output reg  [OLANES*(ACC_BITS+40)-1:0] mem_qline,   // a parameter word (final store)
    output wire        mem_qkeep,         // ... none: the DMA's qbuf still holds them
    input  wire        dma_wvalid,
    input  wire [ONB*OLANES*ACC_BITS-1:0] dma_wline,
    // AXI4 master
    output reg         m_arvalid,
    input  wire        m_arready,
    output reg  [31:0] m_araddr,
    output reg  [7:0]  m_arlen,
    output wire [2:0]  m_arsize,
    output wire [1:0]  m_arburst,
    input  wire        m_rvalid,
    output wire        m_rready,
    input  wire [DW-1:0] m_rdata,
    input  wire [1:0]  m_rresp,
    input  wire        m_rlast,
    output reg         m_awvalid,
    input  wire        m_awready,
    output reg  [31:0] m_awaddr,
    output reg  [7:0]  m_awlen,
    output wire [2:0]  m_awsize,
    output wire [1:0]  m_awburst,
    output reg         m_wvalid,
    input  wire        m_wready,
    output reg  [DW-1:0] m_wdata,
    output reg  [DW/8-1:0] m_wstrb,
    output reg         m_wlast,
    input  wire        m_bvalid,
    output wire        m_bready,
    input  wire [1:0]  m_bresp
);
    localparam DB = DW / 8;
    localparam LG = $clog2(DB);
    localparam RECB = 32 / DB;                      // beats per 32-byte burst of a record
    localparam QRB = ACC_BITS + 40;                 // a channel's parameters on mem_qline
    localparam [4:0] FDB = 6 * RECB;                // beats of a DMA record (192 bytes)
    localparam [4:0] FDB2 = 2 * RECB;               // its first 64 bytes
    localparam LMAX = (ILANES > WLANES) ? ((ILANES > OLANES) ? ILANES : OLANES)
                                        : ((WLANES > OLANES) ? WLANES : OLANES);
    localparam [31:0] CB0 = (ACC_BITS + 7) / 8;
    localparam EW = 8 * CB0;                        // staging element bits (the widest, whole bytes)
    localparam NBK = (INB > WNB) ? ((INB > ONB) ? INB : ONB)
                                 : ((WNB > ONB) ? WNB : ONB);   // staging words a row
    localparam KL = $clog2(NBK);
    localparam SD = (SW + NBK - 1) / NBK;           // staging rows
    localparam SAW = (SD > 1) ? $clog2(SD) : 1;
    localparam OW = (MAXOUT > 1) ? $clog2(MAXOUT + 1) : 1;
    localparam TW = (MAXOUT > 1) ? $clog2(MAXOUT) : 1;
    localparam [31:0] AB = (A_BITS + 7) / 8;
    localparam [31:0] WB = (W_BITS + 7) / 8;
    localparam [31:0] CB = CB0;

    assign m_arsize = LG[2:0];
    assign m_awsize = LG[2:0];
    assign m_arburst = 2'b01;
    assign m_awburst = 2'b01;
    assign m_bready = 1'b1;

    // beats of a burst that starts at aligned address a with `left` beats to go: no more than
    // MAXB, none past the next 4 KiB boundary
    function [8:0] burst_beats(input [31:0] a, input [31:0] left);
        reg [31:0] to4k;
        begin
            to4k = (32'd4096 - {20'd0, a[11:0]}) >> LG;
            burst_beats = (left < to4k) ? ((left < MAXB) ? left[8:0] : MAXB[8:0])
                                        : ((to4k < MAXB) ? to4k[8:0] : MAXB[8:0]);
        end
    endfunction

    // ---------------------------------------------------------------- read tag FIFO
    // who gets each outstanding read burst: 0 the DMA, 1 the DMA fetcher, 2 the compute
    // fetcher (one ID, so bursts return in issue order)
    reg [1:0]  tagq [0:MAXOUT-1];
    reg [TW-1:0] tq_w, tq_r;
    localparam [TW-1:0] TQL = MAXOUT - 1;
    reg [OW-1:0] rd_out;                            // read bursts outstanding
    wire [1:0] rtag = tagq[tq_r];
    wire ar_fire = m_arvalid && m_arready;
    // the tag slot of the AR issued this cycle (past the one that fires now, if any)
    wire [TW-1:0] tq_slot = ar_fire ? ((tq_w == TQL) ? {TW{1'b0}} : tq_w + 1'b1) : tq_w;
    wire r_fire = m_rvalid && m_rready;
    wire r_end = r_fire && m_rlast;

    // ---------------------------------------------------------------- fetchers
    reg        fd_full, fc_busy, fc_full;           // a record on its way / held
    reg        fd_x;                                // the DMA record has words 16..47
    reg [1535:0] fd_rec;                            // a DMA record: 192 bytes, six bursts
    reg [255:0] fc_rec;                             // a compute record: 32 bytes
    reg [2:0]   fd_part;                            // the DMA record's next 32-byte burst
    reg [31:0] fd_next, fc_next;                    // records fetched / requested so far
    reg [4:0]  fd_beat;
    reg [3:0]  fc_beat;
    // no record for the core after an AXI error (the run stops)
    assign dq_valid = fd_full && !axi_error;
    assign cq_valid = fc_full && !axi_error;
    assign dq_rec = fd_rec;
    assign cq_rec = fc_rec;
    // a DMA record: its first 64 bytes, then (bit 7 of word 0, seen in the first beat) the
    // other 128 bytes of a window or vector request's record
    wire fd_want = run && !fd_full && (fd_next < dq_count) &&
                   (fd_part < 3'd2 || (fd_x && fd_part < 3'd6));
    wire fc_want = run && !fc_busy && !fc_full && (fc_next < cq_count);

    // ---------------------------------------------------------------- DMA adapter state
    localparam S_IDLE = 3'd0, S_RD = 3'd1, S_EMIT = 3'd2, S_QRD = 3'd3, S_WR = 3'd4,
               S_FIN = 3'd5;
    reg [2:0]  st;
    reg [1:0]  op;
    reg        lay;
    reg [31:0] base, rows, cols, stride, lines;
    reg [1:0]  elg;                                 // log2 element bytes
    reg [31:0] stg_n;                               // words of the block just loaded
    integer    i, b, k;

    // element walk (shared by unpack and pack): row r, column k, byte address ea, target
    // word w and lane ln of the staging buffer
    reg [31:0] e_r, e_k, e_ra, e_ea, e_w, e_qb;
    reg [7:0]  e_ln, e_rl;
    wire [31:0] eb = 32'd1 << elg;
    wire [31:0] lanes = (op == 2'd0) ? ILANES : (op == 2'd1) ? WLANES : OLANES;
    wire e_last_col = (e_k + 32'd1 == cols);
    wire e_last = e_last_col && (e_r + 32'd1 == rows);
    wire [31:0] e_off = {{(32-LG){1'b0}}, e_ea[LG-1:0]};
    wire e_beat_end = e_last_col || (e_off + eb >= DB);

    // ---------------------------------------------------------------- data AR issuer
    reg        ar_on;                               // rows left to request
    reg [31:0] ar_r, ar_ra, ar_a, ar_left;          // row, row address, next burst, beats
    wire [31:0] row_bytes = cols << elg;
    function [31:0] row_beats(input [31:0] s, input [31:0] nbytes);
        row_beats = ((s + nbytes - 32'd1) >> LG) - (s >> LG) + 32'd1;
    endfunction
    wire [8:0] ar_n = burst_beats(ar_a, ar_left);
    // a burst slot is free (none after an AXI error: no new AR, the run stops)
    wire ar_room = rd_out < MAXOUT && !axi_error;

    // ---------------------------------------------------------------- read beat holder
    reg          rb_v;
    reg [DW-1:0] rb;
    wire st_rd = (st == S_RD) || (st == S_QRD);     // reading a block or parameter records
    wire rb_take;                                   // the held beat leaves this cycle
    wire rb_free = !rb_v || rb_take;
    // after an AXI error every R beat is taken and dropped (the bursts in flight drain)
    assign m_rready = (rtag == 2'd0 && !axi_error) ? rb_free : 1'b1;

    // AR arbitration: DMA fetcher, compute fetcher, data
    wire ar_data_ok = ar_on && st_rd && !fd_want && !fc_want;

    // the runs' AR issuer (a conv's window walk, a vector request's input words): it walks
    // the same runs as the unpacker (hwnas_axi_runs below, one generator each), issuing the
    // bursts of every data run; wa_ld: take the generator's current run next
    reg        wa_on, wa_ld;
    reg [31:0] wa_a, wa_left;
    wire [8:0] wa_n = burst_beats(wa_a, wa_left);
    wire       wa_ok = wa_on && !wa_ld && !fd_want && !fc_want;
    wire [31:0] ag_addr, ag_n;
    wire       ag_pad, ag_last, ag_gend, ag_cont;
    reg        wa_acc;                              // runs merged so far: from wa_s, wa_nb bytes
    reg [31:0] wa_s, wa_nb;
    wire ar_slot = (!m_arvalid || ar_fire) && ar_room && !(ar_fire && rd_out + 1 >= MAXOUT);
    wire ag_step = (wa_on && wa_ld && (ag_pad || ag_n == 32'd0 || ag_cont) && !ag_last) ||
                   (ar_slot && !fd_want && !fc_want && !ar_data_ok && wa_ok &&
                    wa_left == {23'd0, wa_n} && !ag_last);

    always @(posedge clk) begin
        if (rst) begin
            m_arvalid <= 1'b0;
            tq_w <= {TW{1'b0}};
            tq_r <= {TW{1'b0}};
            rd_out <= {OW{1'b0}};
            fd_x <= 1'b0;
            fd_full <= 1'b0;
            fc_busy <= 1'b0;
            fc_full <= 1'b0;
            fd_next <= 32'd0;
            fc_next <= 32'd0;
            fd_beat <= 5'd0;
            fc_beat <= 4'd0;
            fd_part <= 3'd0;
            wa_on <= 1'b0;
            wa_ld <= 1'b0;
            wa_acc <= 1'b0;
            dq_fetched <= 32'd0;
            cq_fetched <= 32'd0;
            rd_err <= 1'b0;
            rb_v <= 1'b0;
            ar_on <= 1'b0;
        end else begin
            rd_out <= rd_out + {{(OW-1){1'b0}}, ar_fire} - {{(OW-1){1'b0}}, r_end};
            if (ar_fire) begin
                m_arvalid <= 1'b0;
                tq_w <= (tq_w == TQL) ? {TW{1'b0}} : tq_w + 1'b1;
            end
            if (r_end)
                tq_r <= (tq_r == TQL) ? {TW{1'b0}} : tq_r + 1'b1;
            if (r_fire && m_rresp[1])
                rd_err <= 1'b1;
            // a new AR when none is pending and a burst slot is free
            if ((!m_arvalid || ar_fire) && ar_room && !(ar_fire && rd_out + 1 >= MAXOUT)) begin
                if (fd_want) begin
                    m_arvalid <= 1'b1;
                    m_araddr <= {dq_addr[31:6], 6'd0} + (fd_next << 7) + (fd_next << 6) +
                                {24'd0, fd_part, 5'd0};
                    m_arlen <= RECB - 1;
                    tagq[tq_slot] <= 2'd1;
                    fd_part <= fd_part + 3'd1;
                end else if (fc_want) begin
                    m_arvalid <= 1'b1;
                    m_araddr <= {cq_addr[31:5], 5'd0} + (fc_next << 5);
                    m_arlen <= RECB - 1;
                    tagq[tq_slot] <= 2'd2;
                    fc_busy <= 1'b1;
                    fc_next <= fc_next + 32'd1;
                end else if (ar_data_ok) begin
                    m_arvalid <= 1'b1;
                    m_araddr <= ar_a;
                    m_arlen <= ar_n[7:0] - 8'd1;
                    tagq[tq_slot] <= 2'd0;
                    if (ar_left == {23'd0, ar_n}) begin
                        // next row
                        if (ar_r + 32'd1 == rows) begin
                            ar_on <= 1'b0;
                        end else begin
                            ar_r <= ar_r + 32'd1;
                            ar_ra <= ar_ra + stride;
                            ar_a <= (ar_ra + stride) & ~(DB - 1);
                            ar_left <= row_beats(ar_ra + stride, row_bytes);
                        end
                    end else begin
                        ar_a <= ar_a + ({23'd0, ar_n} << LG);
                        ar_left <= ar_left - {23'd0, ar_n};
                    end
                end else if (wa_ok) begin
                    // a run of a window walk or a vector request (its bursts, then the next)
                    m_arvalid <= 1'b1;
                    m_araddr <= wa_a;
                    m_arlen <= wa_n[7:0] - 8'd1;
                    tagq[tq_slot] <= 2'd0;
                    if (wa_left == {23'd0, wa_n}) begin
                        if (ag_last)
                            wa_on <= 1'b0;
                        else
                            wa_ld <= 1'b1;
                    end else begin
                        wa_a <= wa_a + ({23'd0, wa_n} << LG);
                        wa_left <= wa_left - {23'd0, wa_n};
                    end
                end
            end
            // the runs' issuer takes its next run: a pad run (or an empty one) needs no
            // burst, a data run its aligned bursts; a data run the next continues (cont) is
            // merged with it (a cycle a run), the merged runs' bursts issued as one
            if (wa_on && wa_ld) begin
                if (ag_pad || ag_n == 32'd0) begin
                    if (ag_last)
                        wa_on <= 1'b0;
                end else if (ag_cont) begin
                    wa_acc <= 1'b1;
                    wa_s <= wa_acc ? wa_s : ag_addr;
                    wa_nb <= (wa_acc ? wa_nb : 32'd0) + (ag_n << elg);
                end else begin
                    wa_ld <= 1'b0;
                    wa_acc <= 1'b0;
                    wa_a <= (wa_acc ? wa_s : ag_addr) & ~(DB - 1);
                    wa_left <= row_beats(wa_acc ? wa_s : ag_addr,
                                         (wa_acc ? wa_nb : 32'd0) + (ag_n << elg));
                end
            end
            // fetch beats
            if (r_fire && rtag == 2'd1) begin
                for (k = 0; k < FDB; k = k + 1)
                    if (fd_beat == k)
                        fd_rec[k*DW +: DW] <= m_rdata;
                fd_beat <= fd_beat + 5'd1;
                if (fd_beat == 5'd0)
                    fd_x <= m_rdata[7];
                if (fd_beat + 5'd1 == (fd_x ? FDB : FDB2)) begin
                    fd_full <= 1'b1;
                    fd_next <= fd_next + 32'd1;
                    fd_part <= 3'd0;
                    fd_x <= 1'b0;
                    fd_beat <= 5'd0;
                end
            end
            if (r_fire && rtag == 2'd2) begin
                for (k = 0; k < RECB; k = k + 1)
                    if (fc_beat == k)
                        fc_rec[k*DW +: DW] <= m_rdata;
                fc_beat <= m_rlast ? 4'd0 : fc_beat + 4'd1;
                if (m_rlast) begin
                    fc_busy <= 1'b0;
                    fc_full <= 1'b1;
                end
            end
            if (dq_valid && dq_ready) begin
                fd_full <= 1'b0;
                dq_fetched <= dq_fetched + 32'd1;
            end
            if (cq_valid && cq_ready) begin
                fc_full <= 1'b0;
                cq_fetched <= cq_fetched + 32'd1;
            end
            // data beats
            if (rb_v && rb_take)
                rb_v <= 1'b0;
            if (r_fire && rtag == 2'd0 && !axi_error) begin
                rb_v <= 1'b1;
                rb <= m_rdata;
            end
            // a load reads its block; a final store first its cols parameter records of 16
            // bytes at qbase (one row, docs/deploy.md)
            if (st == S_IDLE && dma_start && dma_runs) begin
                wa_on <= 1'b1;
                wa_ld <= 1'b1;
            end
            if (st == S_IDLE && dma_start && !dma_runs && (dma_op != 2'd3 || dma_fsr)) begin
                ar_on <= 1'b1;
                ar_r <= 32'd0;
                ar_ra <= dma_fsr ? dma_qbase : dma_base;
                ar_a <= (dma_fsr ? dma_qbase : dma_base) & ~(DB - 1);
                ar_left <= dma_fsr ? row_beats(dma_qbase, dma_cols << 4)
                                   : row_beats(dma_base, dma_cols << dlg);
            end
        end
    end

    // a final store: through the output stage, parameters first
    wire dma_fs = (dma_op == 2'd3) && dma_final && (dma_vop == 2'd0);
    // ... unless the previous final store of this run read the same records (the same qbase
    // and cols, without an AXI error): the DMA's qbuf still holds their words (only a final
    // store writes it), so this one reads none (mem_qkeep) and writes back at once. In a
    // tile program the final stores of one output column tile (n0) follow each other with
    // the same records whenever the m loop is inside the n loop.
    reg        q_ok;                                // the DMA's qbuf holds q_base's words
    reg [31:0] q_base, q_cols;
    wire q_hit = dma_fs && q_ok && dma_qbase == q_base && dma_cols == q_cols;
    wire dma_fsr = dma_fs && !q_hit;                // a final store that reads its records
    assign mem_qkeep = dma_start && q_hit;
    // a request walked as runs: a conv's A load with a window (mode 1), a vector request
    wire dma_vec = (dma_op == 2'd3) && (dma_vop != 2'd0);
    wire dma_wc = (dma_op == 2'd0) && (dma_win[31:0] == 32'd1);
    wire dma_runs = dma_vec || dma_wc;
    // element bytes of the starting request
    wire [1:0] dlg = (dma_op == 2'd0) ? lg2(AB) : (dma_op == 2'd1) ? lg2(WB) :
                     (dma_op == 2'd2 || !dma_final) ? lg2(CB) : lg2(AB);
    function [1:0] lg2(input [31:0] v);
        lg2 = (v >= 8) ? 2'd3 : (v >= 4) ? 2'd2 : (v >= 2) ? 2'd1 : 2'd0;
    endfunction

    // ---------------------------------------------------------------- AW issuer, W packer
    reg        aw_on;
    reg [31:0] aw_r, aw_ra, aw_a, aw_left;
    reg [OW-1:0] wr_out;                            // write bursts issued, B not yet seen
    wire [8:0] aw_n = burst_beats(aw_a, aw_left);
    wire aw_fire = m_awvalid && m_awready;
    wire w_fire = m_wvalid && m_wready;
    wire b_fire = m_bvalid && m_bready;
    reg [31:0] w_seg_left, w_a;                     // beats left in the row, beat address
    reg [8:0]  w_bleft;                             // beats left in the burst
    reg        w_done;                              // every element packed
    reg [31:0] cap_w;                               // store words captured
    reg        fsq;                                 // this request is a final store
    reg [31:0] sb_base, sb_rows, sb_cols;           // its block, while the records are read
    reg        sb_lay;
    reg [7:0]  q_lane;                              // parameter lane being filled
    reg        q_emit;                              // a parameter word is on mem_qline
    reg        pk_v;                                // s_rq holds word e_w, captured
    reg [31:0] pk_cap;                              // words captured before s_rq was read
    // the packer's element is captured and read (a vector request's output words are in
    // registers, vq, as soon as captured)
    // After an AXI error it packs only what a burst on the bus still owes: the rest of a W
    // burst begun (w_bleft), or the bursts whose AW went ahead of their data (w_lead < 0),
    // with strobes 0; an AW goes only for a W burst begun ahead of it (w_lead > 0).
    reg [15:0] w_lead;                              // W bursts begun - AWs issued
    wire w_owe = w_bleft != 9'd0 || w_lead[15];
    wire w_have = axi_error ? w_owe : vreq ? (e_w < cap_w) : pk_v;
    wire aw_iss = (st == S_WR) && aw_on && (!m_awvalid || aw_fire) &&
                  (wr_out + {{(OW-1){1'b0}}, m_awvalid} < MAXOUT) &&
                  (!axi_error || (w_lead != 16'd0 && !w_lead[15]));

    // ---------------------------------------------------------------- staging memory
    // SW words of LMAX lanes of EW bits in one block RAM (hwnas_spad), a row of NBK
    // consecutive words (the widest line: a load or store line is in one row) with a write
    // enable per element; written an element a cycle by the unpacker (S_RD) or a line a cycle
    // by the store capture (never both), read a row a cycle with the registered read of a
    // block RAM: by the emission (a line is on mem_*line the cycle after its read) or by the
    // packer (the row of its next element, a cycle ahead). No valid bit per element: as a
    // load writes a row's last element (layout 0) or an element of the block's last row
    // (layout 1) it writes 0 into the word's higher lanes, and the emission sends the words
    // past the block (stg_n, counted by the walk) as 0, so a line holds this load's elements
    // and zeros, never an earlier request's (docs/deploy.md "How the AXI master works").
    localparam IL2 = $clog2(INB), WL2 = $clog2(WNB), OL2 = $clog2(ONB);
    reg [31:0] emit_j;                              // emission: lines read so far
    integer    sk, sb, sg;
    reg  [NBK*LMAX-1:0]    s_we;
    reg  [NBK*LMAX*EW-1:0] s_wd;
    wire [NBK*LMAX*EW-1:0] s_rq;                    // the row read last cycle
    wire [31:0] s_wrow = ((st == S_RD) ? e_w : cap_w) >> KL;
    wire [31:0] s_cb = cap_w & (NBK - 1);           // the capture's first word in its row
    wire [31:0] s_eb = e_w & (NBK - 1);             // the walk's word in its row
    // the unpacker writes a chunk this cycle: from the held beat, or a window walk's pad
    wire s_unp = (st == S_RD) && (rb_v || (wreq && u_pad));
    // The chunk: the walk's next elements, as many as are in the held beat (a window walk:
    // in the beat and the run; a pad run: the run), in the block row and in the staging row
    // of the walk's word (layout 0: lanes then words from (s_eb, e_ln); layout 1: words
    // from s_eb, lane e_ln), at most DB elements. c_n elements; the last in word c_wl, the
    // one after it at word c_wo, lane c_ln of the row. As the chunk writes a row's last
    // element (layout 0) or elements of the block's last row (layout 1), it writes 0 into
    // the lanes above them in their words (no valid bits).
    wire [31:0] c_off = wreq ? u_off : e_off;
    wire [31:0] c_inb = (DB - c_off) >> elg;            // elements left in the beat
    wire [31:0] c_inr = wreq ? u_n - u_idx : cols - e_k;  // ... in the run or the row
    wire [31:0] c_src = (wreq && u_pad) ? c_inr : (c_inb < c_inr) ? c_inb : c_inr;
    // The same chunk is the W packer's in a store (S_WR): the walk's next elements in the
    // beat (W beats are aligned as R beats), the block row and the staging row read (s_rq),
    // and only in words captured before that read (pk_cap; the memory reads first), or in
    // a vector request's one output word (vq); element d goes to byte c_off + d eb of the
    // beat (p_sh, below). c_wlim: the chunk's words end before word c_wlim of the row.
    wire [31:0] p_avail = pk_cap - (e_w - s_eb);
    wire [31:0] c_wlim = vreq ? s_eb + 32'd1 :
                         ((st == S_WR) && !axi_error && p_avail < NBK) ? p_avail : NBK;
    // Row positions: the chunk is consecutive in its row's order, layout 0 word sk, lane sb
    // at position sk lanes + sb (sb < lanes), layout 1 word sk (lane e_ln) at sk. Element
    // d of the chunk is at position p0 + d, so the chunk is a range of positions, its size
    // and end found in closed form (no walk element by element): c_n the least of c_src, DB
    // and the positions before c_wlim's word; c_wo, c_ln the word and lane of position
    // p0 + c_n (the first word whose start passes it: a compare per word against a table of
    // k lanes, no divider or multiplier), c_wl the word of p0 + c_n - 1.
    localparam RI0 = $clog2(NBK * LMAX + 2 * DB + 1) + 1;
    localparam RI = (RI0 < 9) ? 9 : RI0;                // position bits (e_ln's 8 and more)
    localparam [1:0] LGA = (AB >= 8) ? 2'd3 : (AB >= 4) ? 2'd2 : (AB >= 2) ? 2'd1 : 2'd0;
    localparam [1:0] LGW = (WB >= 8) ? 2'd3 : (WB >= 4) ? 2'd2 : (WB >= 2) ? 2'd1 : 2'd0;
    localparam [1:0] LGC = (CB >= 8) ? 2'd3 : (CB >= 4) ? 2'd2 : (CB >= 2) ? 2'd1 : 2'd0;
    localparam [RI-1:0] DBR = DB;
    localparam EBA = 1 << LGA, EBW = 1 << LGW, EBC = 1 << LGC;   // element bytes by op
    localparam EA = DB / EBA, EWL = DB / EBW, EC = DB / EBC;     // ... a beat's elements
    // the position of word nw's lane 0 in layout 0 under op o (nw x its lanes, from a table)
    function [RI-1:0] wpos(input [1:0] o, input [31:0] nw);
        integer x;
        begin
            wpos = {RI{1'b0}};
            for (x = 1; x <= NBK; x = x + 1)
                if (nw == x)
                    wpos = (o == 2'd0) ? x * ILANES : (o == 2'd1) ? x * WLANES : x * OLANES;
        end
    endfunction
    wire [RI-1:0] c_p0 = lay ? s_eb[RI-1:0] : wpos(op, s_eb) + {{(RI-8){1'b0}}, e_ln};
    wire [RI-1:0] c_pl = lay ? c_wlim[RI-1:0] : wpos(op, c_wlim);
    wire [RI-1:0] c_room = (c_pl > c_p0) ? c_pl - c_p0 : {RI{1'b0}};
    wire [RI-1:0] c_rdb = (c_room < DBR) ? c_room : DBR;
    wire [31:0] c_n = (c_src < {{(32-RI){1'b0}}, c_rdb}) ? c_src : {{(32-RI){1'b0}}, c_rdb};
    wire [RI-1:0] c_pe = c_p0 + c_n[RI-1:0];            // the position after the chunk
    reg  [31:0] c_wo0, c_wl0;                           // layout 0: words of c_pe, c_pe - 1
    integer    cw;
    always @(*) begin
        c_wo0 = 32'd0;
        c_wl0 = 32'd0;
        for (cw = 1; cw <= NBK; cw = cw + 1) begin
            if (wpos(op, cw) <= c_pe)
                c_wo0 = cw;
            if (wpos(op, cw) < c_pe)
                c_wl0 = cw;
        end
    end
    wire [RI-1:0] c_ln0 = c_pe - wpos(op, c_wo0);
    wire [31:0] c_wo = lay ? s_eb + c_n : c_wo0;
    wire [31:0] c_ln = lay ? {24'd0, e_ln} : {{(32-RI){1'b0}}, c_ln0};
    wire [31:0] c_wl = (c_n == 32'd0) ? s_eb : lay ? s_eb + c_n - 32'd1 : c_wl0;
    // Unpacker: the held beat turned so that element d of the chunk (beat element
    // c_off / eb + d) lands at element (p0 + d) mod E of u_r (E = DB / eb elements a beat);
    // each slot then takes u_r's element at its position mod E, a fixed wire for each op
    // (its lanes and element bytes): layout 0 the slot's position, layout 1 its word. A
    // pad run's chunk writes the pad value. Write enables: the slots at positions p0 ..
    // p0 + c_n - 1 (layout 1: lane e_ln of words s_eb .. s_eb + c_n - 1), and the zeros
    // above the row's last element (layout 0: the lanes past it in its word, when the
    // chunk ends the block row) or above each element of the block's last row (layout 1).
    wire [LG-1:0] u_rot = c_off[LG-1:0] - (c_p0[LG-1:0] << elg);
    wire [2*DW-1:0] u_rr = {rb, rb} >> {u_rot, 3'b000};
    wire [DW-1:0] u_r = u_rr[DW-1:0];
    wire [63:0] c_pad = {{32{dma_win[223]}}, dma_win[223:192]};
    wire        c_zr = c_rowend && c_n != 32'd0;        // layout 0: zeros past the row's end
    wire        c_zl = e_r + 32'd1 == rows;             // layout 1: zeros past each element
    wire [NBK*LMAX-1:0]    c_we;
    wire [NBK*LMAX*EW-1:0] c_wd;
    genvar     gk, gb;
    generate
        for (gk = 0; gk < NBK; gk = gk + 1) begin : g_uk
            // layout 1: word gk's element (the same for every lane)
            wire [63:0] e1a = u_r[(gk % EA) * 8 * EBA +: 8 * EBA];
            wire [63:0] e1w = u_r[(gk % EWL) * 8 * EBW +: 8 * EBW];
            wire [63:0] e1c = u_r[(gk % EC) * 8 * EBC +: 8 * EBC];
            wire [63:0] e1 = (op == 2'd0) ? e1a : (op == 2'd1) ? e1w : e1c;
            wire        in1 = gk >= s_eb && gk < c_wo;
            for (gb = 0; gb < LMAX; gb = gb + 1) begin : g_ub
                localparam [RI-1:0] PI = gk * ILANES + gb, PW = gk * WLANES + gb,
                                    PO = gk * OLANES + gb;
                // layout 0: the slot's element and whether the chunk has it
                wire [63:0] e0a = u_r[(PI % EA) * 8 * EBA +: 8 * EBA];
                wire [63:0] e0w = u_r[(PW % EWL) * 8 * EBW +: 8 * EBW];
                wire [63:0] e0c = u_r[(PO % EC) * 8 * EBC +: 8 * EBC];
                wire [63:0] e0 = (op == 2'd0) ? e0a : (op == 2'd1) ? e0w : e0c;
                wire        ok0 = (op == 2'd0) ? gb < ILANES : (op == 2'd1) ? gb < WLANES
                                                                               : gb < OLANES;
                // (compares of a constant: slots of one position share them)
                wire        ge0 = (op == 2'd0) ? PI >= c_p0 : (op == 2'd1) ? PW >= c_p0
                                                                           : PO >= c_p0;
                wire        ge1 = (op == 2'd0) ? PI >= c_pe : (op == 2'd1) ? PW >= c_pe
                                                                           : PO >= c_pe;
                wire        in0 = ok0 && ge0 && !ge1;
                wire        z0 = c_zr && gk == c_wl && (!ok0 || ge1);
                wire        in = lay ? in1 && gb == e_ln : in0;
                wire        z = lay ? in1 && c_zl && gb > e_ln : z0;
                wire [63:0] v = (wreq && u_pad) ? c_pad : lay ? e1 : e0;
                assign c_we[gk*LMAX+gb] = in || z;
                assign c_wd[(gk*LMAX+gb)*EW +: EW] = in ? v[EW-1:0] : {EW{1'b0}};
            end
        end
    endgenerate
    // Packer: for each element position q of a beat (mod E), the one slot of the chunk's
    // window of positions p0 .. p0 + E - 1 at q mod E: slot q + m E with m = p0 / E, or
    // p0 / E + 1 for q < p0 mod E, an R / E : 1 mux (R the row's positions); then the
    // gathered beat (element q holds position p0 + ((q - p0) mod E)) turned so that
    // position p0 + d lands at byte e_off + d eb (p_sh; the bytes outside the chunk are
    // never used). A store has the output stage's lanes (OLANES) and element bytes AB
    // (final) or CB; layout 1 gathers lane e_ln of each word, a vector request the lanes of
    // its output word (vq_w, from lane e_ln: its chunk stays in one word).
    localparam RP = NBK * OLANES;                       // a store row's positions
    wire [RI-1:0] p_p0 = vreq ? {{(RI-8){1'b0}}, e_ln} : c_p0;
    wire [RI-1:0] p_ba = p_p0 >> (LG - LGA), p_bc = p_p0 >> (LG - LGC);  // m for q >= p0 mod E
    wire [RI-1:0] p_ra = p_p0 & (EA - 1), p_rc = p_p0 & (EC - 1);
    wire [RI-1:0] p_ba1 = p_ba + 1'b1, p_bc1 = p_bc + 1'b1;
    reg  [DW-1:0] p_g0a, p_g0c, p_g1a, p_g1c, p_gv;     // gathered: layouts 0, 1, vector
    reg  [NBK*EW-1:0] p_w1;                             // lane e_ln of each word (layout 1)
    integer    pq, pm, pl;
    always @(*) begin
        p_w1 = {NBK*EW{1'b0}};
        for (pm = 0; pm < NBK; pm = pm + 1)
            for (pl = 0; pl < OLANES; pl = pl + 1)
                if (e_ln == pl)
                    p_w1[pm*EW +: EW] = s_rq[(pm*LMAX+pl)*EW +: EW];
        p_g0a = {DW{1'b0}};
        p_g0c = {DW{1'b0}};
        p_g1a = {DW{1'b0}};
        p_g1c = {DW{1'b0}};
        p_gv = {DW{1'b0}};
        for (pq = 0; pq < EA; pq = pq + 1)
            for (pm = 0; pm * EA + pq < RP; pm = pm + 1)
                if ((pq < p_ra) ? p_ba1 == pm : p_ba == pm) begin
                    p_g0a[pq*8*EBA +: 8*EBA] = s_rq[(((pm*EA+pq) / OLANES) * LMAX +
                                                      (pm*EA+pq) % OLANES) * EW +: 8*EBA];
                    if (pm * EA + pq < NBK)
                        p_g1a[pq*8*EBA +: 8*EBA] = p_w1[(pm*EA+pq)*EW +: 8*EBA];
                    if (pm * EA + pq < OLANES)
                        p_gv[pq*8*EBA +: 8*EBA] = vq_w[(pm*EA+pq)*AEW +: 8*EBA];
                end
        for (pq = 0; pq < EC; pq = pq + 1)
            for (pm = 0; pm * EC + pq < RP; pm = pm + 1)
                if ((pq < p_rc) ? p_bc1 == pm : p_bc == pm) begin
                    p_g0c[pq*8*EBC +: 8*EBC] = s_rq[(((pm*EC+pq) / OLANES) * LMAX +
                                                      (pm*EC+pq) % OLANES) * EW +: 8*EBC];
                    if (pm * EC + pq < NBK)
                        p_g1c[pq*8*EBC +: 8*EBC] = p_w1[(pm*EC+pq)*EW +: 8*EBC];
                end
    end
    wire [DW-1:0] p_g = vreq ? p_gv : (elg == LGA) ? (lay ? p_g1a : p_g0a)
                                                   : (lay ? p_g1c : p_g0c);
    wire [LG-1:0] p_rot = (p_p0[LG-1:0] << elg) - e_off[LG-1:0];
    wire [2*DW-1:0] p_rr = {p_g, p_g} >> {p_rot, 3'b000};
    wire c_rowend = (e_k + c_n == cols);                // the chunk ends the block row
    wire c_rend = (u_idx + c_n == u_n);                 // ... a window walk's run
    wire c_last = c_rowend && (e_r + 32'd1 == rows);    // ... the block
    // the held beat is used up: the chunk reaches its end, the row's or the run's
    // (a window walk's run the next continues keeps the beat: its elements follow)
    wire c_bend = (c_off + (c_n << elg) >= DB) || (wreq ? c_rend && !u_cont : c_rowend);
    // A capture line's word i goes to word s_cb + i of the row: s_cb is a multiple of ONB
    // (cap_w counts whole lines), so row word k takes line word k % ONB; an output-stage word
    // (fsq) is line word 0 into row word s_cb. The unpacker writes its chunk (c_we, c_wd).
    always @(*) begin
        s_we = {NBK*LMAX{1'b0}};
        s_wd = {NBK*LMAX*EW{1'b0}};
        for (sk = 0; sk < NBK; sk = sk + 1)
            for (sb = 0; sb < LMAX; sb = sb + 1) begin
                if (dma_wvalid) begin
                    s_we[sk*LMAX+sb] = sb < OLANES &&
                        (fsq ? s_cb == sk : (s_cb >> OL2) == (sk >> OL2));
                    if (sb < OLANES)
                        s_wd[(sk*LMAX+sb)*EW +: EW] = sext(dma_wline[
                            ((fsq ? 0 : sk % ONB)*OLANES+sb)*ACC_BITS +: ACC_BITS]);
                end else if (s_unp) begin
                    s_we[sk*LMAX+sb] = c_we[sk*LMAX+sb];
                    s_wd[(sk*LMAX+sb)*EW +: EW] = c_wd[(sk*LMAX+sb)*EW +: EW];
                end
            end
        if (s_wrow >= SD)
            s_we = {NBK*LMAX{1'b0}};
    end

    // the emission's line emit_j starts at word em_w0; the packer reads its element's row
    // (the word the walk moves to past its chunk, e_w_nx, when it packs this cycle)
    wire [31:0] em_w0 = emit_j << ((op == 2'd0) ? IL2 : (op == 2'd1) ? WL2 : OL2);
    wire [31:0] em_nb = (op == 2'd0) ? INB : (op == 2'd1) ? WNB : ONB;
    // while the block is unpacked (S_RD), line emit_j goes as soon as its words are all
    // written (below the walk's word, layout 0; below its group's first word, layout 1),
    // one a cycle, all but the last (that one goes in S_EMIT, with mem_done)
    wire em_rd = (st == S_RD) && (em_w0 + em_nb <= (lay ? e_qb : e_w)) &&
                 (emit_j + 32'd1 < lines);
    wire pk_go = (st == S_WR) && !w_done && (!m_wvalid || w_fire) && w_have;
    wire [31:0] e_w_nx = c_rowend ? ((lay == 1'b0) ? e_w - s_eb + c_wl + 32'd1 :
                                     (e_rl + 8'd1 == lanes[7:0]) ? e_qb + cols : e_qb)
                                  : e_w - s_eb + c_wo;
    wire [31:0] pk_w = pk_go ? e_w_nx : e_w;
    // the packer's chunk in place in the beat: from byte e_off to p_end
    wire [DW-1:0] p_sh = p_rr[DW-1:0];
    wire [31:0] p_end = e_off + (c_n << elg);
    wire [31:0] s_rrow = ((st == S_EMIT || st == S_RD) ? em_w0 : pk_w) >> KL;
    hwnas_spad #(.WB(EW), .NB(NBK * LMAX), .LINES(SD), .LAW(SAW)) stg (
        .clk(clk), .wen(s_we), .waddr(s_wrow[SAW-1:0]), .wdata(s_wd),
        .ren(1'b1), .raddr(s_rrow[SAW-1:0]), .rdata(s_rq));

    reg        em_v, em_last;                       // a line on mem_*line; the last issued
    reg [31:0] em_off;                              // its first word in the row read
    reg [NBK-1:0] em_wv;                            // its words inside the block
    always @(posedge clk) begin
        em_off <= em_w0 & (NBK - 1);
        for (sg = 0; sg < NBK; sg = sg + 1)
            em_wv[sg] <= em_w0 + sg < stg_n;
        pk_v <= !rst && (st == S_WR) && pk_w < cap_w;
        pk_cap <= cap_w;
    end

    // element `lane` of word `w` of the line at word `off` of a staging row, lines of 2^nl
    // words (off is a multiple: lines are aligned in the row): an NBK / 2^nl : 1 mux
    function [EW-1:0] s_lelem(input [NBK*LMAX*EW-1:0] row, input [31:0] off,
                              input integer nl, input integer w, input integer lane);
        integer x;
        begin
            s_lelem = {EW{1'b0}};
            for (x = 0; x < NBK; x = x + (1 << nl))
                if (x + w < NBK && ((off & (NBK - 1)) >> nl) == (x >> nl))
                    s_lelem = row[((x + w)*LMAX+lane)*EW +: EW];
        end
    endfunction

    reg        rd_err, wr_err;
    assign axi_error = rd_err || wr_err;
    assign axi_quiet = rd_out == {OW{1'b0}} && !m_arvalid && wr_out == {OW{1'b0}} &&
                       !m_awvalid && !m_wvalid && w_bleft == 9'd0 && w_lead == 16'd0;
    assign idle = (st == S_IDLE);
    assign mem_rvalid = em_v || q_emit || v_emit;
    assign mem_done = (st == S_EMIT && em_last) || (st == S_FIN);

    // load lines: words em_w0 .. + NB - 1 of the staging buffer, read the cycle before
    genvar gn, ge;
    generate
        for (gn = 0; gn < INB; gn = gn + 1) begin : g_il
            for (ge = 0; ge < ILANES; ge = ge + 1) begin : g_e
                wire [EW-1:0] v = s_lelem(s_rq, em_off, IL2, gn, ge);
                assign mem_iline[(gn*ILANES+ge)*A_BITS +: A_BITS] =
                    em_wv[gn] ? v[A_BITS-1:0] : {A_BITS{1'b0}};
            end
        end
        for (gn = 0; gn < WNB; gn = gn + 1) begin : g_wl
            for (ge = 0; ge < WLANES; ge = ge + 1) begin : g_e
                wire [EW-1:0] v = s_lelem(s_rq, em_off, WL2, gn, ge);
                assign mem_wline[(gn*WLANES+ge)*W_BITS +: W_BITS] =
                    em_wv[gn] ? v[W_BITS-1:0] : {W_BITS{1'b0}};
            end
        end
        for (gn = 0; gn < ONB; gn = gn + 1) begin : g_ol
            for (ge = 0; ge < OLANES; ge = ge + 1) begin : g_e
                wire [EW-1:0] v = s_lelem(s_rq, em_off, OL2, gn, ge);
                assign mem_oline[(gn*OLANES+ge)*ACC_BITS +: ACC_BITS] =
                    em_wv[gn] ? v[ACC_BITS-1:0] : {ACC_BITS{1'b0}};
            end
        end
    endgenerate

    // the element at e_ea from the held read beat (the bytes past the beat 0)
    wire [DW+63:0] r_sh = {64'd0, rb} >> {e_off[LG-1:0], 3'b000};
    reg  [63:0] r_elem;
    always @(*)
        for (b = 0; b < 8; b = b + 1)
            r_elem[b*8 +: 8] = (b < eb) ? r_sh[b*8 +: 8] : 8'd0;

    // ---------------------------------------------------------------- runs
    // A conv's A load with a window (mode 1 of docs/rtl.md "Window addressing") and a vector
    // request walk their elements as runs: a run is a contiguous range of elements at one
    // address (a tap's channels of one pixel, cut at block columns; a vector input word of
    // up to OLANES channels), or a pad run (outside the input: the pad value, no burst). The
    // AR issuer and the unpacker each walk the runs with a generator (hwnas_axi_runs) from
    // the same start; the generator keeps counters (pixel x, y; tap s, channel c; group
    // position; channel word) and the address offsets they imply, no divider or multiplier:
    // the record carries the walk's start and its strides (words 32..46, docs/deploy.md).
    reg        wreq, vreq;                          // a conv window load / a vector request
    reg [2:0]  rmode;                               // the generators' mode
    reg [511:0] wd;                                 // record words 32..47 of the request
    reg [31:0] u_idx;                               // the unpacker's element in its run
    wire [31:0] u_addr, u_n;
    wire       u_pad, u_last, u_gend, u_cont;
    wire [31:0] u_cur = u_addr + (u_idx << elg);
    wire [31:0] u_off = {{(32-LG){1'b0}}, u_cur[LG-1:0]};
    // a vector request's elements taken this cycle: every element of its word in the held
    // beat (the rest of the run, or up to the beat's end), a pad word whole; so the held beat
    // is done with (a run's bursts are its own, so at the run's end too)
    localparam ALG = $clog2(AB);
    wire [31:0] v_rem = u_n - u_idx;
    wire [31:0] v_inb = (DB - u_off) >> ALG;
    wire [31:0] u_k = (u_pad || v_rem < v_inb) ? v_rem : v_inb;
    wire       u_rend = (u_idx + u_k == u_n);
    wire       u_bend = !u_pad;
    // a vector request's input side: a word's elements into the word register vw as their
    // beat is held (all of them at once when the word lies in one beat; a pad word at once),
    // the word to the vector unit (mem_rvalid) once complete; its output words wait in a VQ-word
    // queue for the W packer, and a group's last input word goes only with room for its
    // output (the DMA cannot be stalled)
    localparam VQ = 4;
    localparam AEW = 8 * AB;
    reg [OLANES*A_BITS-1:0] vw;
    // the word's elements from the held beat: element i of a run at u_addr is in byte
    // (u_addr + i AB) mod DB of its beat, so the beat turned right by u_addr's offset has it
    // in slot i mod DB / AB; lanes u_idx .. u_idx + u_k - 1 take them (the pad value for a
    // pad word), the others keep theirs (0 when the word starts)
    wire [2*DW-1:0] v_rot = {rb, rb} >> {u_addr[LG-1:0], 3'd0};
    reg  [OLANES*A_BITS-1:0] v_in;
    integer vi;
    always @(*)
        for (vi = 0; vi < OLANES; vi = vi + 1)
            v_in[vi*A_BITS +: A_BITS] = u_pad ? dma_win[192 +: A_BITS] :
                                        v_rot[(vi % (DB / AB))*AEW +: A_BITS];
    reg        v_emit, v_done;
    reg [31:0] vo_iss;                              // output words asked for
    reg [OLANES*AEW-1:0] vq [0:VQ-1];
    wire [31:0] vo_pend = vo_iss - e_w;
    wire       vq_room = vo_pend < VQ;
    wire       v_go = vreq && (st == S_WR) && !v_done && (rb_v || u_pad) &&
                      !(u_rend && u_gend && !vq_room);
    wire       uw_go = st == S_RD && wreq && (rb_v || u_pad);   // a window walk's chunk
    wire       u_go = uw_go || v_go;
    wire       u_step = ((uw_go && c_rend) || (v_go && u_rend)) && !u_last;
    assign rb_take = (st == S_QRD && e_beat_end) || (st == S_RD && rb_v && !(wreq && u_pad) &&
                     c_bend) || (v_go && u_bend);
    assign mem_vline = vw;
    wire [OLANES*AEW-1:0] vq_w = vq[e_w[1:0]];
    reg  [OLANES*AEW-1:0] vq_in;
    always @(*)
        for (i = 0; i < OLANES; i = i + 1)
            vq_in[i*AEW +: AEW] = sext(dma_wline[i*ACC_BITS +: ACC_BITS]);
    wire       rinit = st == S_IDLE && dma_start;
    wire [2:0] dmode = dma_wc ? 3'd1 : (dma_vop == 2'd3) ? 3'd3 :
                       (dma_win[31:0] == 32'd2) ? 3'd2 : 3'd4;

    always @(posedge clk) begin
        if (rst) begin
            wreq <= 1'b0;
            vreq <= 1'b0;
            v_emit <= 1'b0;
            v_done <= 1'b0;
            u_idx <= 32'd0;
        end else begin
            // the walk's start and strides, taken with the record when the core takes it
            if (fd_full && dq_ready)
                wd <= fd_rec[1024 +: 512];
            v_emit <= 1'b0;
            if (rinit) begin
                wreq <= dma_wc;
                vreq <= dma_vec;
                rmode <= dmode;
                u_idx <= 32'd0;
                v_done <= 1'b0;
                vo_iss <= 32'd0;
            end else begin
                if (st == S_FIN)
                    vreq <= 1'b0;
                if (st == S_EMIT)
                    wreq <= 1'b0;
                if (uw_go)
                    u_idx <= c_rend ? 32'd0 : u_idx + c_n;
                else if (v_go)
                    u_idx <= u_rend ? 32'd0 : u_idx + u_k;
                if (v_go) begin
                    for (i = 0; i < OLANES; i = i + 1)
                        if (i >= u_idx && i < u_idx + u_k)
                            vw[i*A_BITS +: A_BITS] <= v_in[i*A_BITS +: A_BITS];
                        else if (u_idx == 32'd0)
                            vw[i*A_BITS +: A_BITS] <= {A_BITS{1'b0}};
                    if (u_rend) begin
                        v_emit <= 1'b1;
                        if (u_gend)
                            vo_iss <= vo_iss + 32'd1;
                        if (u_last)
                            v_done <= 1'b1;
                    end
                end
            end
            // a vector request's output words, as the DMA sends them
            if (vreq && dma_wvalid)
                vq[cap_w[1:0]] <= vq_in;
        end
    end

    hwnas_axi_runs #(.VL(OLANES)) ugen (
        .clk(clk), .init(rinit), .step(u_step), .mode(rmode), .elg(lg2(AB)),
        .base(dma_base), .vbase2(dma_vbase2), .rows(dma_rows), .cols(dma_cols), .vg(dma_vg),
        .win(dma_win), .wd(wd), .addr(u_addr), .n(u_n), .pad(u_pad), .last(u_last),
        .gend(u_gend), .cont(u_cont));
    hwnas_axi_runs #(.VL(OLANES)) agen (
        .clk(clk), .init(rinit), .step(ag_step), .mode(rmode), .elg(lg2(AB)),
        .base(dma_base), .vbase2(dma_vbase2), .rows(dma_rows), .cols(dma_cols), .vg(dma_vg),
        .win(dma_win), .wd(wd), .addr(ag_addr), .n(ag_n), .pad(ag_pad), .last(ag_last),
        .gend(ag_gend), .cont(ag_cont));
    wire unused_runs = &{1'b0, ag_gend, wd[511:480]};

    // a stored lane, sign-extended to whole bytes
    function [EW-1:0] sext(input [ACC_BITS-1:0] v);
        sext = {{(EW-ACC_BITS+1){v[ACC_BITS-1]}}, v[ACC_BITS-2:0]};
    endfunction

    // advance the element walk by one element
    task walk_next;
        begin
            e_ea <= e_ea + eb;
            e_k <= e_k + 32'd1;
            if (lay == 1'b0) begin
                if (e_ln + 8'd1 == lanes[7:0]) begin
                    e_ln <= 8'd0;
                    e_w <= e_w + 32'd1;
                end else begin
                    e_ln <= e_ln + 8'd1;
                end
            end else begin
                e_w <= e_w + 32'd1;
            end
            if (e_last_col)
                row_next(e_w + 32'd1);
        end
    endtask

    // advance the element walk past the chunk (c_n elements: the unpacker's or the packer's)
    task walk_chunk;
        begin
            e_ea <= e_ea + (c_n << elg);
            e_k <= e_k + c_n;
            if (c_rowend) begin
                row_next(e_w - s_eb + c_wl + 32'd1);
            end else begin
                e_w <= e_w - s_eb + c_wo;
                e_ln <= c_ln[7:0];
            end
        end
    endtask

    // the walk's move to the next row (the chunk and walk_next): w0 is the word
    // after the row's last one, where a layout-0 row starts (a new word, whatever lane the
    // row ended in); layout 1 moves down a lane of the row group, or to the next group
    task row_next(input [31:0] w0);
        begin
            e_k <= 32'd0;
            e_r <= e_r + 32'd1;
            e_ra <= e_ra + stride;
            e_ea <= e_ra + stride;
            if (lay == 1'b0) begin
                e_ln <= 8'd0;
                e_w <= w0;
            end else if (e_rl + 8'd1 == lanes[7:0]) begin
                e_rl <= 8'd0;
                e_ln <= 8'd0;
                e_qb <= e_qb + cols;
                e_w <= e_qb + cols;
            end else begin
                e_rl <= e_rl + 8'd1;
                e_ln <= e_rl + 8'd1;
                e_w <= e_qb;
            end
        end
    endtask

    // start writing a block of row_bytes-long rows at byte address a back (its W beats wait
    // for the captured words, w_have)
    task wr_init(input [31:0] a, input [31:0] rbytes);
        begin
            aw_on <= 1'b1;
            aw_r <= 32'd0;
            aw_ra <= a;
            aw_a <= a & ~(DB - 1);
            aw_left <= row_beats(a, rbytes);
            w_a <= a & ~(DB - 1);
            w_seg_left <= row_beats(a, rbytes);
            w_bleft <= 9'd0;
            m_wstrb <= {DB{1'b0}};
            m_wdata <= {DW{1'b0}};
        end
    endtask

    always @(posedge clk) begin
        if (rst) begin
            st <= S_IDLE;
            q_emit <= 1'b0;
            q_ok <= 1'b0;
            em_v <= 1'b0;
            cap_w <= 32'd0;
            m_awvalid <= 1'b0;
            m_wvalid <= 1'b0;
            aw_on <= 1'b0;
            wr_out <= {OW{1'b0}};
            w_lead <= 16'd0;
            w_bleft <= 9'd0;
            rd_bytes <= 32'd0;
            wr_bytes <= 32'd0;
            wr_err <= 1'b0;
        end else begin
            wr_out <= wr_out + {{(OW-1){1'b0}}, aw_fire} - {{(OW-1){1'b0}}, b_fire};
            w_lead <= w_lead + {15'd0, pk_go && c_bend && w_bleft == 9'd0} -
                      {15'd0, aw_iss};
            if (b_fire && m_bresp[1])
                wr_err <= 1'b1;
            if (aw_fire)
                m_awvalid <= 1'b0;
            if (w_fire)
                m_wvalid <= 1'b0;
            q_emit <= 1'b0;
            if (v_go && !u_pad)
                rd_bytes <= rd_bytes + (u_k << elg);
            em_v <= ((st == S_EMIT) && !em_last) || em_rd;
            if (em_rd)
                emit_j <= emit_j + 32'd1;
            // a store's words, captured at the DMA's pace (it cannot be stalled): a line of
            // ONB words of partial sums, or one word of the output stage
            if (dma_wvalid)
                cap_w <= cap_w + (fsq ? 32'd1 : ONB);
            case (st)
            S_IDLE: if (dma_start) begin
                // a final store reads its parameter records first: one row of 2 x cols
                // elements of 8 bytes (bias; multiplier | shift << 32) at qbase
                op <= dma_op;
                lay <= dma_fsr ? 1'b0 : dma_layout;
                base <= dma_fsr ? dma_qbase : dma_base;
                rows <= dma_fsr ? 32'd1 : dma_rows;
                cols <= dma_fsr ? dma_cols << 1 : dma_cols;
                stride <= dma_stride;
                lines <= dma_lines;
                elg <= dma_fsr ? 2'd3 : dlg;
                sb_base <= dma_base;
                sb_rows <= dma_rows;
                sb_cols <= dma_cols;
                sb_lay <= dma_layout;
                fsq <= dma_fs;
                e_r <= 32'd0;
                e_k <= 32'd0;
                e_ra <= dma_fsr ? dma_qbase : dma_base;
                e_ea <= dma_fsr ? dma_qbase : dma_base;
                e_w <= 32'd0;
                e_qb <= 32'd0;
                e_ln <= 8'd0;
                e_rl <= 8'd0;
                emit_j <= 32'd0;
                stg_n <= 32'hffffffff;
                cap_w <= 32'd0;
                q_lane <= 8'd0;
                w_done <= 1'b0;
                em_last <= 1'b0;
                st <= dma_fsr ? S_QRD : (dma_op == 2'd3) ? S_WR : S_RD;
                if (dma_op == 2'd3 && !dma_fsr)
                    wr_init(dma_base, dma_cols << dlg);
                if (dma_fs) begin
                    q_ok <= q_hit;
                    q_base <= dma_qbase;
                    q_cols <= dma_cols;
                end
                if (dma_vec) begin
                    // a vector request: its output words go back as a store of vm rows
                    // (pixels) of cols act elements at vout, while its input words stream
                    // in (the runs below)
                    lay <= 1'b0;
                    base <= dma_vout;
                    rows <= wd[31:0];
                    cols <= dma_cols;
                    stride <= dma_cols << lg2(AB);
                    elg <= lg2(AB);
                    fsq <= 1'b1;
                    e_ra <= dma_vout;
                    e_ea <= dma_vout;
                    wr_init(dma_vout, dma_cols << lg2(AB));
                end
            end
            S_QRD: if (rb_v) begin
                rd_bytes <= rd_bytes + eb;
                walk_next;
                for (i = 0; i < OLANES; i = i + 1)
                    if ({24'd0, q_lane} == i) begin
                        if (!e_k[0])
                            mem_qline[i*QRB +: ACC_BITS] <= r_elem[ACC_BITS-1:0];
                        else
                            mem_qline[i*QRB+ACC_BITS +: 40] <= r_elem[39:0];
                    end
                if (e_k[0]) begin
                    if ({24'd0, q_lane} + 32'd1 == OLANES || e_last) begin
                        q_emit <= 1'b1;
                        q_lane <= 8'd0;
                    end else begin
                        q_lane <= q_lane + 8'd1;
                    end
                end
                if (e_last) begin
                    // the records are in: write the block back as the words arrive
                    st <= S_WR;
                    q_ok <= !axi_error;
                    lay <= sb_lay;
                    base <= sb_base;
                    rows <= sb_rows;
                    cols <= sb_cols;
                    elg <= lg2(AB);
                    e_r <= 32'd0;
                    e_k <= 32'd0;
                    e_ra <= sb_base;
                    e_ea <= sb_base;
                    e_w <= 32'd0;
                    e_qb <= 32'd0;
                    e_ln <= 8'd0;
                    e_rl <= 8'd0;
                    wr_init(sb_base, sb_cols << lg2(AB));
                end
            end
            S_RD: if (s_unp) begin
                // the unpacker's chunk (c_n elements) is written: the walk moves past it
                rd_bytes <= rd_bytes + ((wreq && u_pad) ? 32'd0 : c_n << elg);
                walk_chunk;
                if (c_last) begin
                    st <= S_EMIT;
                    stg_n <= e_w - s_eb + c_wl + 32'd1;
                end
            end
            S_EMIT: if (!em_last) begin
                // read line emit_j; it is on mem_*line the next cycle (em_v)
                emit_j <= emit_j + 32'd1;
                em_last <= emit_j + 32'd1 >= lines;
            end else begin
                st <= S_IDLE;
            end
            S_WR: begin
                // AW: one burst at a time, MAXOUT outstanding
                if (aw_iss) begin
                    m_awvalid <= 1'b1;
                    m_awaddr <= aw_a;
                    m_awlen <= aw_n[7:0] - 8'd1;
                    if (aw_left == {23'd0, aw_n}) begin
                        if (aw_r + 32'd1 == rows) begin
                            aw_on <= 1'b0;
                        end else begin
                            aw_r <= aw_r + 32'd1;
                            aw_ra <= aw_ra + stride;
                            aw_a <= (aw_ra + stride) & ~(DB - 1);
                            aw_left <= row_beats(aw_ra + stride, row_bytes);
                        end
                    end else begin
                        aw_a <= aw_a + ({23'd0, aw_n} << LG);
                        aw_left <= aw_left - {23'd0, aw_n};
                    end
                end
                // W: pack a chunk (c_n elements, bytes e_off .. p_end - 1 of the beat) a
                // cycle while no beat waits on the bus
                if (!w_done && (!m_wvalid || w_fire) && w_have) begin
                    // the previous beat left (w_fire): start a fresh one with this chunk
                    for (k = 0; k < DB; k = k + 1)
                        if (k >= e_off && k < p_end) begin
                            m_wdata[k*8 +: 8] <= p_sh[k*8 +: 8];
                            m_wstrb[k] <= !axi_error;
                        end else if (w_fire) begin
                            m_wstrb[k] <= 1'b0;
                        end
                    wr_bytes <= wr_bytes + (axi_error ? 32'd0 : c_n << elg);
                    walk_chunk;
                    if (c_bend) begin
                        m_wvalid <= 1'b1;
                        if (w_bleft == 9'd0) begin
                            m_wlast <= burst_beats(w_a, w_seg_left) == 9'd1;
                            w_bleft <= burst_beats(w_a, w_seg_left) - 9'd1;
                        end else begin
                            m_wlast <= w_bleft == 9'd1;
                            w_bleft <= w_bleft - 9'd1;
                        end
                        if (c_rowend) begin
                            w_a <= (e_ra + stride) & ~(DB - 1);
                            w_seg_left <= row_beats(e_ra + stride, row_bytes);
                        end else begin
                            w_a <= w_a + DB;
                            w_seg_left <= w_seg_left - 32'd1;
                        end
                    end
                    if (c_last)
                        w_done <= 1'b1;
                end else if (w_fire) begin
                    m_wstrb <= {DB{1'b0}};
                end
                if (w_done && !aw_on && !m_awvalid && !m_wvalid && wr_out == {OW{1'b0}})
                    st <= S_FIN;
            end
            S_FIN: st <= S_IDLE;
            default: st <= S_IDLE;
            endcase
        end
    end

    wire unused_mem = &{1'b0, base[0], lines[0]};

`ifdef FORMAL
    // Protocol properties (formal/run.sh proves them with yosys-smtbmc). Assumed: the slave
    // keeps the AXI rules (VALID held until READY with a stable payload, R beats and B
    // responses only for bursts asked for, RLAST on a burst's last beat) and hwnas_top starts
    // a request only when the previous one is done. Asserted: the master keeps the rules.
    reg f_past = 1'b0;
    always @(posedge clk)
        f_past <= 1'b1;
    always @(*)
        if (!f_past)
            assume(rst);

    // the checker's view: read bursts asked for and their lengths, beats received
    reg [7:0] f_ar_n = 8'd0, f_r_n = 8'd0;          // AR accepted, read bursts completed
    reg [7:0] f_rlen [0:7];
    reg [8:0] f_rbeat = 9'd0;
    // write bursts: AW lengths and the W bursts' beat counts, matched in order
    reg [7:0] f_aw_n = 8'd0, f_wb_n = 8'd0, f_b_n = 8'd0;
    reg [8:0] f_awlen [0:7];
    reg [8:0] f_wlen [0:7];
    reg [8:0] f_wbeat = 9'd0;
    wire [7:0] f_rd_out = f_ar_n - f_r_n;
    wire [7:0] f_wr_out = f_aw_n - f_b_n;
    wire [7:0] f_aw_idx = f_aw_n;
    wire [7:0] f_wb_idx = f_wb_n;
    always @(posedge clk) begin
        if (rst) begin
            f_ar_n <= 8'd0;
            f_r_n <= 8'd0;
            f_rbeat <= 9'd0;
            f_aw_n <= 8'd0;
            f_wb_n <= 8'd0;
            f_b_n <= 8'd0;
            f_wbeat <= 9'd0;
        end else begin
            if (ar_fire) begin
                f_rlen[f_ar_n[2:0]] <= m_arlen;
                f_ar_n <= f_ar_n + 8'd1;
            end
            if (r_fire) begin
                f_rbeat <= m_rlast ? 9'd0 : f_rbeat + 9'd1;
                if (m_rlast)
                    f_r_n <= f_r_n + 8'd1;
            end
            if (aw_fire) begin
                f_awlen[f_aw_n[2:0]] <= {1'b0, m_awlen} + 9'd1;
                f_aw_n <= f_aw_n + 8'd1;
                // its W burst already went: same length
                if (f_wb_n - f_aw_n < 8'd128 && f_wb_n != f_aw_n)
                    assert(f_wlen[f_aw_n[2:0]] == {1'b0, m_awlen} + 9'd1);
            end
            if (w_fire) begin
                f_wbeat <= m_wlast ? 9'd0 : f_wbeat + 9'd1;
                if (m_wlast) begin
                    f_wlen[f_wb_n[2:0]] <= f_wbeat + 9'd1;
                    f_wb_n <= f_wb_n + 8'd1;
                    // its AW already went: same length
                    if (f_aw_n - f_wb_n < 8'd128 && f_aw_n != f_wb_n)
                        assert(f_awlen[f_wb_n[2:0]] == f_wbeat + 9'd1);
                end
            end
            if (b_fire)
                f_b_n <= f_b_n + 8'd1;
        end
    end

    always @(*) begin
        if (f_past && !rst) begin
            // the slave: R beats only for bursts asked for, RLAST on the last one
            if (m_rvalid) begin
                assume(f_rd_out != 8'd0);
                assume(m_rlast == (f_rbeat == {1'b0, f_rlen[f_r_n[2:0]]}));
            end
            // B only for a burst whose address and data both went
            if (m_bvalid)
                assume(f_aw_n != f_b_n && f_wb_n != f_b_n);
            // hwnas_top: one request at a time, a block of at least one element, rows
            // shorter than 1 MiB (a buffer half is far smaller), not wrapping around the
            // 32-bit address space (bounds that imply it)
            if (dma_start)
                assume(st == S_IDLE && dma_rows != 32'd0 && dma_cols != 32'd0 &&
                       dma_rows < 32'h400 && dma_cols < 32'h20000 &&
                       dma_stride < 32'h100000 && dma_base < 32'h80000000 &&
                       (dma_base & ((32'd1 << dlg) - 32'd1)) == 32'd0 &&
                       (dma_stride & ((32'd1 << dlg) - 32'd1)) == 32'd0 &&
                       (!dma_fs || (dma_qbase[3:0] == 4'd0 && dma_qbase < 32'h80000000)));

            // a vector request: the DMA sends an output word only for a group the master
            // completed (hwnas_dma: one a group, the cycle after its last input word); the
            // master's output queue never holds more than VQ words, so no word is overwritten
            // before the W packer took it
            if (vreq && dma_wvalid)
                assume(cap_w < vo_iss);
            if (vreq && !axi_error)
                assert(vo_iss - e_w <= VQ);

            // bursts: aligned, at most MAXB beats, within one 4 KiB page
            if (m_arvalid) begin
                assert(m_araddr[LG-1:0] == {LG{1'b0}});
                assert({1'b0, m_arlen} < MAXB);
                assert({1'b0, m_araddr[11:0]} + (({5'd0, m_arlen} + 13'd1) << LG) <= 13'd4096);
            end
            if (m_awvalid) begin
                assert(m_awaddr[LG-1:0] == {LG{1'b0}});
                assert({1'b0, m_awlen} < MAXB);
                assert({1'b0, m_awaddr[11:0]} + (({5'd0, m_awlen} + 13'd1) << LG) <= 13'd4096);
            end
            assert(m_arburst == 2'b01 && m_awburst == 2'b01 && m_arsize == LG && m_awsize == LG);
            // a W burst ends (WLAST) within MAXB beats
            assert(f_wbeat < MAXB);
            // outstanding transactions within MAXOUT; the master's count is the checker's
            assert(f_rd_out <= MAXOUT);
            assert(f_wr_out <= MAXOUT);
            assert({{(8-OW){1'b0}}, rd_out} == f_rd_out);
            assert({{(8-OW){1'b0}}, wr_out} == f_wr_out);
            // quiet (what the top waits for after an error before done / idle): no read or
            // write burst outstanding, every W burst matched to its AW, no W beat owed
            if (axi_quiet)
                assert(f_rd_out == 8'd0 && f_wr_out == 8'd0 && f_aw_n == f_wb_n &&
                       f_wbeat == 9'd0 && !m_arvalid && !m_awvalid && !m_wvalid);
        end
    end

    always @(posedge clk) begin
        if (f_past && !$past(rst)) begin
            // the slave holds R and B until taken, payload stable
            if ($past(m_rvalid && !m_rready))
                assume(m_rvalid && m_rdata == $past(m_rdata) && m_rlast == $past(m_rlast) &&
                       m_rresp == $past(m_rresp));
            if ($past(m_bvalid && !m_bready))
                assume(m_bvalid && m_bresp == $past(m_bresp));
            // the master holds AR, AW and W until taken, payload stable
            if ($past(m_arvalid && !m_arready))
                assert(m_arvalid && m_araddr == $past(m_araddr) && m_arlen == $past(m_arlen));
            if ($past(m_awvalid && !m_awready))
                assert(m_awvalid && m_awaddr == $past(m_awaddr) && m_awlen == $past(m_awlen));
            if ($past(m_wvalid && !m_wready))
                assert(m_wvalid && m_wdata == $past(m_wdata) && m_wstrb == $past(m_wstrb) &&
                       m_wlast == $past(m_wlast));
        end
        // after an AXI error: no new AR (one pending stays until taken), and once quiet
        // nothing more is offered
        if (f_past && !$past(rst) && $past(axi_error)) begin
            if (m_arvalid)
                assert($past(m_arvalid && !m_arready));
            if ($past(axi_quiet))
                assert(axi_quiet);
        end
        // the packer's read ahead: its chunk moved e_w to the word read (e_w_nx)
        if (f_past && !$past(rst) && $past(pk_go))
            assert(e_w == $past(e_w_nx));
        // reset: nothing offered in the cycle after it
        if (f_past && $past(rst)) begin
            assert(!m_arvalid);
            assert(!m_awvalid);
            assert(!m_wvalid);
        end
    end
`endif
endmodule

// hwnas_axi_runs: the run generator of hwnas_axi_mem (one for its AR issuer, one for its
// unpacker, so both walk the same runs). `init` takes the request's start, `step` moves to
// the next run; addr (bytes), n (elements), pad, last (the request's last run) and gend (a
// vector request's group ends with this word) describe the current one. Modes:
//   1 a conv's A block over the NHWC input (docs/rtl.md "Window addressing"): row i of the
//     block is output pixel m0 + i (x, y and the input origin org kept as counters), a run
//     the channels c.. of one filter tap (s, r: offsets toff / ry, sx) up to the group's Cg
//     or the block's column end;
//   2 a pool's input words: pixel, channel word, window tap (innermost), the same walk;
//   3 an add's input words: pixel, channel word, the two inputs (base, vbase2);
//   4 a pool's window matrix (rows of cols elements): pixel, channel word, row of the window.
// Offsets are in elements (signed) and become a byte address as base + (offset << elg).
// wd holds record words 32..47 (docs/deploy.md "Program format"): vm, the strides sw C, sh W C,
// H W C - (P - 1) sh W C, dw C, dh W C, and the walk's start (x0, y0, org0, rorg0, iy0,
// ix0, s0, c0, toff0, rtoff0, ry0, sx0), which the host computes once per request.
module hwnas_axi_runs #(
    parameter VL = 4               // lanes of a vector word
) (
    input  wire        clk,
    input  wire        init,
    input  wire        step,
    input  wire [2:0]  mode,
    input  wire [1:0]  elg,
    input  wire [31:0] base,
    input  wire [31:0] vbase2,
    input  wire [31:0] rows,
    input  wire [31:0] cols,
    input  wire [31:0] vg,
    input  wire [287:0] win,
    input  wire [511:0] wd,
    output wire [31:0] addr,
    output wire [31:0] n,
    output wire        pad,
    output wire        last,
    output wire        gend,
    output wire        cont           // the next run continues this one in memory (mode 1)
);
    wire [31:0] H = {16'd0, win[32 +: 16]}, W = {16'd0, win[48 +: 16]};
    wire [15:0] P = win[64 +: 16], Q = win[80 +: 16];
    wire [31:0] CG = {16'd0, win[112 +: 16]}, C = {16'd0, win[96 +: 16]};
    wire [7:0]  S = win[128 +: 8];
    wire [31:0] SH = {24'd0, win[136 +: 8]}, SW = {24'd0, win[144 +: 8]};
    wire [31:0] DH = {24'd0, win[160 +: 8]}, DW = {24'd0, win[168 +: 8]};
    wire [31:0] PH = {24'd0, win[176 +: 8]}, PW = {24'd0, win[184 +: 8]};
    wire [31:0] vm = wd[0 +: 32], swc = wd[32 +: 32], shwc = wd[64 +: 32];
    wire [31:0] bstep = wd[96 +: 32], dwc = wd[128 +: 32], dhwc = wd[160 +: 32];
    wire [15:0] x0 = wd[192 +: 16], y0 = wd[208 +: 16];
    wire [31:0] org0 = wd[224 +: 32], rorg0 = wd[256 +: 32], iy0 = wd[288 +: 32];
    wire [31:0] ix0 = wd[320 +: 32];
    wire [7:0]  s0 = wd[352 +: 8];
    wire [15:0] c0 = wd[368 +: 16];
    wire [31:0] toff0 = wd[384 +: 32], rtoff0 = wd[416 +: 32];
    wire [31:0] ry0 = {16'd0, wd[448 +: 16]}, sx0 = {16'd0, wd[464 +: 16]};

    reg [31:0] px, j, org, rorg, oy, ox, ry, sx, toff, rtoff, t, cwo, cwl, po, ta, gb;
    reg [15:0] x, y, c;
    reg [7:0]  s;

    wire conv = (mode == 3'd1);
    wire wwin = conv || (mode == 3'd2);
    wire [31:0] na = CG - {16'd0, c}, nb = cols - j;
    wire [31:0] nv = (cwl < VL) ? cwl : VL;
    assign n = conv ? ((na < nb) ? na : nb) : nv;
    wire [31:0] iy = oy + ry, ix = ox + sx;
    assign pad = wwin && (iy[31] || iy >= H || ix[31] || ix >= W);
    wire [31:0] eoff = wwin ? org + toff + (conv ? {16'd0, c} : cwo) :
                       (mode == 3'd3) ? po + cwo : ta + cwo;
    assign addr = ((mode == 3'd3 && t[0]) ? vbase2 : base) + (eoff << elg);
    assign gend = (t + 32'd1 == vg);
    wire cw_last = (cwl <= VL);
    wire px_last = (px + 32'd1 == (conv ? rows : vm));
    wire row_end = (j + n == cols);
    assign last = conv ? (px_last && row_end) : (gend && cw_last && px_last);
    // a conv's group is the whole input (Cg == C) and dw == 1: the next tap of this window
    // row, if inside the input too, starts where this run ends (NHWC, consecutive im2col
    // columns), so the consumers walk the two as one (no new burst, the beat kept)
    assign cont = conv && !pad && !row_end && CG == C && DW == 32'd1 && s + 8'd1 != S &&
                  ix + 32'd1 < W;

    always @(posedge clk) begin
        if (init) begin
            px <= 32'd0;
            j <= 32'd0;
            x <= x0;
            y <= y0;
            org <= org0;
            rorg <= rorg0;
            oy <= iy0;
            ox <= ix0;
            s <= s0;
            c <= c0;
            ry <= ry0;
            sx <= sx0;
            toff <= toff0;
            rtoff <= rtoff0;
            t <= 32'd0;
            cwo <= 32'd0;
            cwl <= cols;
            po <= 32'd0;
            ta <= 32'd0;
            gb <= 32'd0;
        end else if (step) begin
            if (conv ? row_end : gend) begin
                // the tap walk starts again (a block row, a group)
                j <= 32'd0;
                t <= 32'd0;
                s <= s0;
                c <= c0;
                ry <= ry0;
                sx <= sx0;
                toff <= toff0;
                rtoff <= rtoff0;
                if (conv || cw_last) begin
                    // the next pixel
                    px <= px + 32'd1;
                    cwo <= 32'd0;
                    cwl <= cols;
                    po <= po + cols;
                    gb <= ta + cols;
                    ta <= ta + cols;
                    if ({16'd0, x} + 32'd1 == {16'd0, Q}) begin
                        x <= 16'd0;
                        ox <= 32'd0 - PW;
                        if ({16'd0, y} + 32'd1 == {16'd0, P}) begin
                            y <= 16'd0;
                            oy <= 32'd0 - PH;
                            rorg <= rorg + bstep;
                            org <= rorg + bstep;
                        end else begin
                            y <= y + 16'd1;
                            oy <= oy + SH;
                            rorg <= rorg + shwc;
                            org <= rorg + shwc;
                        end
                    end else begin
                        x <= x + 16'd1;
                        ox <= ox + SW;
                        org <= org + swc;
                    end
                end else begin
                    // the pixel's next channel word
                    cwo <= cwo + VL;
                    cwl <= cwl - VL;
                    ta <= gb;
                end
            end else begin
                // the next tap (channels from 0 again), or the next word of the group
                j <= j + n;
                c <= 16'd0;
                t <= t + 32'd1;
                ta <= ta + cols;
                if (s + 8'd1 == S) begin
                    s <= 8'd0;
                    sx <= 32'd0;
                    ry <= ry + DH;
                    rtoff <= rtoff + dhwc;
                    toff <= rtoff + dhwc;
                end else begin
                    s <= s + 8'd1;
                    sx <= sx + DW;
                    toff <= toff + dwc;
                end
            end
        end
    end
    wire unused_runs = &{1'b0, win[0 +: 32], win[152 +: 8], win[192 +: 96],
                         wd[360 +: 8], wd[480 +: 32]};
endmodule
