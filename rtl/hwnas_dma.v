// hwnas_dma: the one DMA engine. It serves one request at a time: a 2-D block of a DRAM
// matrix (base, rows x cols, row stride, in elements) moved into or out of one scratchpad
// half, one line (NB buffer words) per beat. The memory side (sim/harness) answers the
// descriptor: it delivers the load beats and raises mem_done in the request's last cycle,
// t(b) = dram_latency_cycles + ceil(b / bw) cycles after the first (docs/model.md).
//   op 0: load A -> ibuf   op 1: load B -> wbuf   op 2: load C (partial sums) -> obuf
//   op 3: store C <- obuf, final = 0: the raw acc_bits partial sums (acc_bytes in DRAM);
//         final = 1 (OSTAGE = 1): the output stage (docs/rtl.md "Output stage"): the request
//         first reads the block's per-channel parameters (bias, multiplier, shift) into the
//         qbuf, then converts one obuf word (OLANES lanes) per cycle through hwnas_requant
//         and sends it; act_bits bytes per output in DRAM.
//         final = 1 (OSTAGE = 0, the AXI top): saturate(acc >>> shift) to A_BITS, a line per
//         cycle.
module hwnas_dma #(
    parameter OSTAGE = 1,
    parameter QDEPTH = 64,         // qbuf words (OLANES channels each)
    parameter A_BITS = 8,
    parameter W_BITS = 8,
    parameter ACC_BITS = 32,
    parameter QRB = ACC_BITS + 40, // a channel's parameter record: bias, multiplier (32), shift (8)
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
    // final store (OSTAGE = 1): the output stage's per-layer values and the obuf walk
    input  wire [31:0] c_qbase,    // DRAM element address of the first channel's record
    input  wire [31:0] c_zp,
    input  wire [31:0] c_lo,
    input  wire [31:0] c_hi,
    input  wire [31:0] c_obase,    // first obuf word of the block in its half
    input  wire [31:0] c_ostride,  // obuf words between two rows of the walk
    input  wire [31:0] c_ocols,    // words per row of the walk (c_words / rows of the walk)
    input  wire [31:0] c_qwords,   // parameter beats: ceil(cols / OLANES)
    // vector request (op 3, vop != 0; docs/rtl.md "Vector unit")
    input  wire [1:0]  c_vop,      // 1 max pool, 2 average pool, 3 add
    input  wire [31:0] c_vg,       // input words per output word (window r x s, or 2)
    input  wire [31:0] c_vbase2,   // the add's second input (memory side)
    input  wire [31:0] c_vout,     // the output tensor (memory side)
    input  wire [31:0] c_vzp1,
    input  wire [31:0] c_vzp2,
    input  wire [31:0] c_vm1,
    input  wire [31:0] c_vm2,
    input  wire [31:0] c_vmo,
    input  wire [31:0] c_vsh,
    // window walk (docs/rtl.md "Window addressing"): held for the request and handed to the
    // memory side's address generator with the block; bytes and lines stay the block's
    input  wire [287:0] c_win,
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
    output reg  [31:0] qwords,     // final store: parameter beats before the outputs
    output reg  [31:0] qbase,
    output reg  [1:0]  vop,
    output reg  [31:0] vg,
    output reg  [31:0] vbase2,
    output reg  [31:0] vout,
    output reg  [287:0] win,
    input  wire [OLANES*A_BITS-1:0] mem_vline,       // a vector request's input word
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
    input  wire [OLANES*QRB-1:0] mem_qline,          // a parameter beat (final store)
    // in a final store's first cycle: its parameter words are still in qbuf (the memory
    // side's previous final store read the same records), none will come
    input  wire        mem_qkeep,
    output reg         wvalid,     // a store beat is on wline (two cycles after its read)
    output reg  [ONB*OLANES*ACC_BITS-1:0] wline
);
    localparam [31:0] AB = (A_BITS + 7) / 8;
    localparam [31:0] WB = (W_BITS + 7) / 8;
    localparam [31:0] CB = (ACC_BITS + 7) / 8;
    localparam [31:0] QB = CB + 32'd5;

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
    // a final store also reads cols x QB parameter bytes (QB = CB + 5: bias, multiplier,
    // shift); QB <= 13, shifts and adds
    wire [31:0] qcb = (QB[0] ? c_cols : 32'd0) + (QB[1] ? c_cols << 1 : 32'd0) +
                      (QB[2] ? c_cols << 2 : 32'd0) + (QB[3] ? c_cols << 3 : 32'd0);
    wire c_fs = (OSTAGE != 0) && (c_op == 2'd3) && c_final && (c_vop == 2'd0);
    wire [31:0] nb = (c_op == 2'd0) ? INB : (c_op == 2'd1) ? WNB : ONB;
    wire [31:0] nbl = (c_op == 2'd0) ? INL : (c_op == 2'd1) ? WNL : ONL;
    wire [31:0] lh = (op == 2'd0) ? ILH : (op == 2'd1) ? WLH : OLH;

    assign done = busy && mem_done;
    assign lidx = (half ? lh : 32'd0) + j;
    assign lhalf = half;
    wire load_beat = busy && mem_rvalid && (op != 2'd3);
    assign ilwe = load_beat && (op == 2'd0);
    assign wlwe = load_beat && (op == 2'd1);
    assign olwe = load_beat && (op == 2'd2);
    reg cv;                        // oline_q holds a line to convert
    reg fs;                        // this request is a final store through the output stage

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
            bytes <= rcb + (c_fs ? qcb : 32'd0);
            lines <= (c_words + nb - 32'd1) >> nbl;
            qwords <= c_fs ? c_qwords : 32'd0;
            qbase <= c_qbase;
            vop <= (c_op == 2'd3) ? c_vop : 2'd0;
            vg <= c_vg;
            vbase2 <= c_vbase2;
            vout <= c_vout;
            win <= c_win;
            fs <= c_fs;
        end else begin
            first <= 1'b0;
            if (done)
                busy <= 1'b0;
            if (load_beat || lre)
                j <= j + 32'd1;
            cv <= lre;
            wvalid <= cv || fcv || vlast;
            if (cv)
                for (l = 0; l < ONB * OLANES; l = l + 1)
                    wline[l*ACC_BITS +: ACC_BITS] <= quant(oline_q[l*ACC_BITS +: ACC_BITS]);
            if (vlast) begin
                wline <= {ONB*OLANES*ACC_BITS{1'b0}};
                for (l = 0; l < OLANES; l = l + 1)
                    wline[l*ACC_BITS +: ACC_BITS] <=
                        {{(ACC_BITS-A_BITS){vy[l*A_BITS+A_BITS-1]}}, vy[l*A_BITS +: A_BITS]};
            end
            if (fcv) begin
                wline <= {ONB*OLANES*ACC_BITS{1'b0}};
                for (l = 0; l < OLANES; l = l + 1)
                    wline[l*ACC_BITS +: ACC_BITS] <=
                        {{(ACC_BITS-A_BITS){fy[l*A_BITS+A_BITS-1]}}, fy[l*A_BITS +: A_BITS]};
            end
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
            if (!final_out || OSTAGE != 0)     // OSTAGE: final stores take the output stage
                quant = v;
            else if (sh > QMAX)
                quant = QMAX;
            else if (sh < QMIN)
                quant = QMIN;
            else
                quant = sh;
        end
    endfunction

    // ---- the output stage of a final store (OSTAGE = 1) ----
    // Cycle s is the request's first. Parameter beat q (OLANES channel records of QRB bits:
    // bias, multiplier, shift) arrives in cycle s + 1 + q and is written to qbuf word q.
    // Output word i (walk: row i / ocols, column i % ocols, obuf word obase + row x ostride
    // + column) is read with its parameter word in cycle s + 2 + i, converted in s + 3 + i
    // and sent in s + 4 + i. The word that first needs parameter word q comes at or after
    // word q, so its parameters were written at least a cycle before they are read.
    // Layout 0: lane e of column c is channel c x OLANES + e (parameter word c, lane e);
    // layout 1 (is): every lane of column c is channel c (parameter word c / OLANES, lane
    // c % OLANES, counted without a divider).
    localparam QAW = (QDEPTH > 1) ? $clog2(QDEPTH) : 1;
    localparam ONLW = (ONL > 0) ? ONL : 1;
    reg [31:0] zp, lo, hi, obase, ostride, ocols, words;
    reg [31:0] fi, fcol, frow, qn, qr;
    reg [1:0]  fph;
    reg [31:0] qj;
    reg        fcv;
    reg [ONLW-1:0] fsel;
    reg [31:0] flsel;
    wire [31:0] oaddr = frow + fcol;
    wire lre = busy && (op == 2'd3) && !fs && (vop == 2'd0) && (j < lines);
    assign lj = fs ? (oaddr >> ONL) : j;
    wire qwe = busy && fs && mem_rvalid;
    wire [31:0] qra = layout ? qn : fcol;
    // an output word waits for its parameter word (qra) to be in the qbuf: never in the
    // direct harness (word i needs parameter word <= i, written by cycle s + 2 + i), but an
    // AXI memory side delivers the parameters when its bursts return (hwnas_axi_mem.v)
    wire fre = busy && fs && (fph == 2'd2) && (fi < words) && (qj > qra);
    assign olre = lre || fre;
    wire [OLANES*QRB-1:0] qword;
    reg  [OLANES*ACC_BITS-1:0] oshift;   // word fsel of the line read (a mux, no multiply)
    integer k;
    always @(*) begin
        oshift = oline_q[OLANES*ACC_BITS-1:0];
        for (k = 1; k < ONB; k = k + 1)
            if ({{(32-ONLW){1'b0}}, fsel} == k)
                oshift = oline_q[k*OLANES*ACC_BITS +: OLANES*ACC_BITS];
    end
    wire [OLANES*A_BITS-1:0] fy;
    wire [OLANES*A_BITS-1:0] vy, vmx;           // the vector unit's output word, its max
    wire [OLANES*(ACC_BITS+1)-1:0] vsrc;        // the vector unit's operand of out()
    reg [31:0] vzp1, vzp2, vm1, vm2, vmo, vsh;

    generate
        if (OSTAGE != 0) begin : g_os
            hwnas_spad #(.WB(OLANES * QRB), .NB(1), .LINES(QDEPTH), .LAW(QAW)) qbuf (
                .clk(clk), .wen(qwe), .waddr(qj[QAW-1:0]), .wdata(mem_qline),
                .ren(fre), .raddr(qra[QAW-1:0]), .rdata(qword));
            // is: every lane takes the record of lane flsel (a mux, no index multiply)
            reg [QRB-1:0] qsel;
            integer u;
            always @(*) begin
                qsel = qword[QRB-1:0];
                for (u = 1; u < OLANES; u = u + 1)
                    if (flsel == u)
                        qsel = qword[u*QRB +: QRB];
            end
            // one requantiser per lane, acc_bits + 1 wide, shared by the final store (x =
            // acc + bias wrapped at acc_bits, the record's multiplier and shift) and the
            // vector unit's output (its operand, vmo, so): one request at a time
            genvar e;
            for (e = 0; e < OLANES; e = e + 1) begin : g_lane
                wire [QRB-1:0] rec = layout ? qsel : qword[e*QRB +: QRB];
                wire [ACC_BITS-1:0] xb = oshift[e*ACC_BITS +: ACC_BITS] + rec[ACC_BITS-1:0];
                wire [ACC_BITS:0] src = fs ? {xb[ACC_BITS-1], xb} : vsrc[e*(ACC_BITS+1) +: ACC_BITS+1];
                wire [A_BITS-1:0] yl;
                wire [ACC_BITS+1:0] rw;
                hwnas_requant #(.ACC_BITS(ACC_BITS + 1), .A_BITS(A_BITS)) rq (
                    .en(fcv || vlast), .acc(src), .bias({(ACC_BITS+1){1'b0}}),
                    .mult(fs ? rec[ACC_BITS +: 32] : vmo),
                    .shift(fs ? rec[ACC_BITS+32 +: 6] : vsh[21:16]),
                    .zp(zp), .lo(lo), .hi(hi), .y(yl), .r_out(rw));
                assign fy[e*A_BITS +: A_BITS] = yl;
                assign vy[e*A_BITS +: A_BITS] = (vop == 2'd1) ? vmx[e*A_BITS +: A_BITS] : yl;
                wire unused_rw = &{1'b0, rw};
                wire unused_rec = &{1'b0, rec[QRB-1:ACC_BITS+38]};
            end
        end else begin : g_noos
            assign qword = {OLANES*QRB{1'b0}};
            assign fy = {OLANES*A_BITS{1'b0}};
            assign vy = vmx;
            wire unused_q = &{1'b0, qwe, qra, mem_qline, oshift, zp, lo, hi, flsel, vsrc, vmo, qword};
        end
    endgenerate

    always @(posedge clk) begin
        if (rst) begin
            fcv <= 1'b0;
            fph <= 2'd0;
        end else if (start) begin
            fcv <= 1'b0;
            fph <= 2'd0;
            fi <= 32'd0;
            fcol <= 32'd0;
            frow <= c_obase;
            qn <= 32'd0;
            qr <= 32'd0;
            qj <= 32'd0;
            zp <= c_zp;
            lo <= c_lo;
            hi <= c_hi;
            obase <= c_obase;
            ostride <= c_ostride;
            ocols <= c_ocols;
            words <= c_words;
        end else begin
            if (fph != 2'd2)
                fph <= fph + 2'd1;
            if (qwe)
                qj <= qj + 32'd1;
            if (first && mem_qkeep)
                qj <= 32'hffffffff;
            fcv <= fre;
            if (fre) begin
                fsel <= oaddr[ONLW-1:0];
                flsel <= qr;
                fi <= fi + 32'd1;
                if (fcol + 32'd1 == ocols) begin
                    fcol <= 32'd0;
                    frow <= frow + ostride;
                    qn <= 32'd0;
                    qr <= 32'd0;
                end else begin
                    fcol <= fcol + 32'd1;
                    if (qr + 32'd1 == OLANES) begin
                        qr <= 32'd0;
                        qn <= qn + 32'd1;
                    end else begin
                        qr <= qr + 32'd1;
                    end
                end
            end
        end
    end

    // ---- a vector request (docs/rtl.md "Vector unit") ----
    // Input word i arrives in cycle s + 1 + i; every vg words make an output word,
    // converted in the cycle of the group's last and sent the next: the last output
    // leaves in s + 1 + words, the request lasts at least words + 2 cycles.
    reg [31:0] vt;                          // position in the group
    wire vin = busy && (vop != 2'd0) && mem_rvalid;
    wire vlast = vin && (vt + 32'd1 == vg);
    hwnas_vec #(.LANES(OLANES), .A_BITS(A_BITS), .ACC_BITS(ACC_BITS)) vec (
        .clk(clk), .vop(vop), .in_valid(vin), .in_first(vt == 32'd0), .in_word(mem_vline),
        .zp1(vzp1), .zp2(vzp2), .m1(vm1), .m2(vm2), .sh(vsh), .osrc(vsrc), .mx_out(vmx));
    always @(posedge clk) begin
        if (start) begin
            vt <= 32'd0;
            vzp1 <= c_vzp1;
            vzp2 <= c_vzp2;
            vm1 <= c_vm1;
            vm2 <= c_vm2;
            vmo <= c_vmo;
            vsh <= c_vsh;
        end else if (vin) begin
            vt <= vlast ? 32'd0 : vt + 32'd1;
        end
    end

    wire unused_dma = &{1'b0, eb[31:4], obase, qra};
endmodule
