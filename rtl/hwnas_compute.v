// hwnas_compute: the systolic array and the sequencer that runs one compute command (one
// tile step: tm' x tk' of A times tk' x tn' of B into the obuf half's tm' x tn' sums) as a
// series of folds, each exactly 2*ROWS + COLS + T - 2 cycles long (docs/model.md, docs/rtl.md).
//
// DF = 0 (ws): B stationary (tk' on rows, tn' on cols), A rows streamed, T = tm'.
// DF = 2 (is): ws on the transposed problem C^T = B^T A^T: A^T stationary (tk' on rows, tm' on
//              cols, read from the ibuf), B^T rows streamed from the wbuf, T = tn'.
// DF = 1 (os): C stationary (tm' on rows, tn' on cols), A and B streamed skewed, T = tk'.
//
// Buffer word layouts (word w of a half; lanes are the elements of one word):
//   ws: ibuf w = m*KF + kf   (R lanes along k)   wbuf w = k*NF + nf   (C lanes along n)
//   os: ibuf w = mf*tk + k   (R lanes along m)   wbuf w = k*NF + nf   (C lanes along n)
//   is: ibuf w = mf*tk + k   (C lanes along m)   wbuf w = kf*tn + n   (R lanes along k)
//   obuf (ws, os): w = m*NF + nf (C lanes along n);  obuf (is): w = mf*tn + n (C lanes along m)
// with NF = ceil(tn'/C), KF = ceil(tk'/R), MF = ceil(tm'/R) (os) or ceil(tm'/C) (is); the
// command carries the fold counts (c_nout: outer folds, c_nin: inner folds).
module hwnas_compute #(
    parameter ROWS = 4,
    parameter COLS = 4,
    parameter DF = 0,
    parameter A_BITS = 8,
    parameter W_BITS = 8,
    parameter ACC_BITS = 32,
    parameter PACK = 0,       // mac_packing: 0 none, 1 dsp2, 2 dsp4 (os), 3 lut (hwnas_pkmul.v)
    parameter IAW = 8,        // word offset bits within a buffer half
    parameter WAW = 8,
    parameter OAW = 8,
    parameter IWB = ((DF == 2) ? COLS : ROWS) * A_BITS,
    parameter WWB = ((DF == 2) ? ROWS : COLS) * W_BITS,
    parameter OWB = COLS * ACC_BITS
) (
    input  wire            clk,
    input  wire            rst,
    input  wire            start,      // take the command below at this edge
    input  wire            c_ahalf,
    input  wire            c_bhalf,
    input  wire            c_chalf,
    input  wire            c_init,     // first visit of this C tile: overwrite, do not accumulate
    input  wire [31:0]     c_tm,
    input  wire [31:0]     c_tn,
    input  wire [31:0]     c_tk,
    input  wire [31:0]     c_nout,     // outer folds: NF (ws), MF (os, is)
    input  wire [31:0]     c_nin,      // inner folds: KF (ws, is), NF (os)
    output reg             busy,
    output wire            done,       // high in the command's last cycle
    // Buffer reads are synchronous: the address presented in a cycle is the next cycle's
    // (the D input of the address register), and its word arrives with that cycle.
    output wire            rd_en,      // read the words of the next cycle
    output wire            ibuf_rhalf,
    output wire [IAW-1:0]  ibuf_raddr,
    input  wire [IWB-1:0]  ibuf_rdata,
    output wire            wbuf_rhalf,
    output wire [WAW-1:0]  wbuf_raddr,
    input  wire [WWB-1:0]  wbuf_rdata,
    output wire            obuf_rhalf,
    output wire [OAW-1:0]  obuf_raddr, // read of the read-modify-write, a cycle ahead
    input  wire [OWB-1:0]  obuf_rdata,
    output wire            obuf_whalf,
    output wire [OAW-1:0]  obuf_waddr,
    output wire            obuf_we,
    output wire [OWB-1:0]  obuf_wdata
);
    localparam [31:0] R = ROWS;
    localparam [31:0] C = COLS;
    // A packed block is BR x BC PEs that multiply in the same cycle, its top-left PE's
    // (docs/rtl.md "Packed MACs"): dsp2 pairs adjacent columns, dsp4 (os only) makes 2 x 2
    // blocks; a last odd row or column makes narrower blocks. Operands reach a block at its
    // first row's and column's time, so the skew of row i is i - i % BR, of column j
    // j - j % BC, and a column's sum leaves the bottom j % BC cycles early.
    localparam BC = (PACK == 1 || PACK == 2) ? 2 : 1;
    localparam BR = (PACK == 2 && DF == 1) ? 2 : 1;
    localparam LUTM = (PACK == 3) ? 1 : 0;

    // x * ROWS as shifts and adds of a constant, so that no multiplier (DSP) is inferred.
    function [31:0] mul_r(input [31:0] x);
        integer b;
        begin
            mul_r = 32'd0;
            for (b = 0; b < 32; b = b + 1)
                if (R[b])
                    mul_r = mul_r + (x << b);
        end
    endfunction

    reg [31:0] tm, tn, tk, nout, nin, outer, inner, cyc;
    reg ah, bh, ch, init;

    wire [31:0] T = (DF == 0) ? tm : (DF == 2) ? tn : tk;
    wire [31:0] flen = 2 * R + C + T - 2;
    wire last_cyc = (cyc == flen - 1);
    wire last_fold = (outer == nout - 1) && (inner == nin - 1);
    assign done = busy && last_cyc && last_fold;

    // Next state. A fold begins at a command's start or after the last cycle of a fold
    // that is not the command's last; it then advances the inner fold, or wraps it and
    // advances the outer one.
    wire fold_end = busy && last_cyc;
    wire adv_in = !start && fold_end && !last_fold && (inner != nin - 1);
    wire adv_out = !start && fold_end && !last_fold && (inner == nin - 1);
    wire new_fold = start || adv_in || adv_out;
    wire n_busy = start || (busy && !(last_cyc && last_fold));
    wire [31:0] n_outer = start ? 32'd0 : adv_out ? outer + 32'd1 : outer;
    wire [31:0] n_inner = (start || adv_out) ? 32'd0 : adv_in ? inner + 32'd1 : inner;
    wire [31:0] n_tm = start ? c_tm : tm;
    wire [31:0] n_tn = start ? c_tn : tn;
    wire [31:0] n_tk = start ? c_tk : tk;
    wire [31:0] n_nout = start ? c_nout : nout;
    wire [31:0] n_nin = start ? c_nin : nin;
    wire n_ah = start ? c_ahalf : ah;
    wire n_bh = start ? c_bhalf : bh;
    wire n_ch = start ? c_chalf : ch;

    assign rd_en = n_busy;
    assign ibuf_rhalf = n_ah;
    assign wbuf_rhalf = n_bh;
    assign obuf_rhalf = n_ch;
    assign obuf_whalf = ch;
    wire unused_cmp = &{1'b0, n_nout};   // used by ws only

    always @(posedge clk) begin
        if (rst) begin
            busy <= 1'b0;
            cyc <= 32'd0;
            outer <= 32'd0;
            inner <= 32'd0;
        end else begin
            busy <= n_busy;
            cyc <= (new_fold || fold_end || !busy) ? 32'd0 : cyc + 32'd1;
            outer <= n_outer;
            inner <= n_inner;
        end
        if (start) begin
            tm <= c_tm;
            tn <= c_tn;
            tk <= c_tk;
            nout <= c_nout;
            nin <= c_nin;
            ah <= c_ahalf;
            bh <= c_bhalf;
            ch <= c_chalf;
            init <= c_init;
        end
    end

    // Address registers: each holds this cycle's address and is stepped by an adder, with
    // per-fold bases stepped at fold boundaries (x * nout and friends are never multiplied).
    wire [31:0] out_addr;
    wire        outv;
    wire [OWB-1:0] res;       // this cycle's C-lane result row
    wire        first;        // overwrite instead of accumulate

    assign obuf_we = outv;
    assign obuf_waddr = out_addr[OAW-1:0];

    genvar j;
    generate
        for (j = 0; j < COLS; j = j + 1) begin : g_acc
            assign obuf_wdata[j*ACC_BITS +: ACC_BITS] = first ? res[j*ACC_BITS +: ACC_BITS]
                : obuf_rdata[j*ACC_BITS +: ACC_BITS] + res[j*ACC_BITS +: ACC_BITS];
        end
    endgenerate

    genvar i;
    generate
        if (DF != 1) begin : g_ws
            // ---------------- weight stationary (ws, and is on the transpose) -------------
            localparam SB = (DF == 2) ? A_BITS : W_BITS;   // stationary operand
            localparam FB = (DF == 2) ? W_BITS : A_BITS;   // streamed operand

            wire ld = busy && (cyc < R);
            // krow: the block row shifted in this cycle, inner * R + R - 1 - cyc
            reg [31:0] kin, krow;
            wire [31:0] n_kin = (start || adv_out) ? 32'd0 : adv_in ? kin + R : kin;
            wire [31:0] n_krow = new_fold ? n_kin + R - 32'd1 : krow - 32'd1;
            always @(posedge clk) begin
                kin <= n_kin;
                krow <= n_krow;
            end
            wire ldv = ld && (krow < tk);
            wire [31:0] s = cyc - R;                         // stream cycle
            wire strv = busy && (cyc >= R) && (s < T);
            localparam [31:0] D = 2 * R + C - 2;            // first output cycle
            wire [31:0] t = cyc - D;                         // output row leaving the array
            assign outv = busy && (cyc >= D) && (t < T);
            assign first = init && (inner == 32'd0);

            wire [COLS*SB-1:0] stat_word;
            wire [ROWS*FB-1:0] str_word;
            reg  [31:0] sa, ra, oa;                          // stationary, streamed, output
            wire [31:0] n_sa, n_ra, n_oa;
            always @(posedge clk) begin
                sa <= n_sa;
                ra <= n_ra;
                oa <= n_oa;
            end
            assign out_addr = oa;
            assign obuf_raddr = n_oa[OAW-1:0];
            if (DF == 2) begin : g_is
                // stationary outer * tk + krow, streamed inner * tn + s, output outer * tn + t
                reg [31:0] so, it, ot;
                wire [31:0] n_so = start ? 32'd0 : adv_out ? so + tk : so;
                wire [31:0] n_it = (start || adv_out) ? 32'd0 : adv_in ? it + tn : it;
                wire [31:0] n_ot = start ? 32'd0 : adv_out ? ot + tn : ot;
                always @(posedge clk) begin
                    so <= n_so;
                    it <= n_it;
                    ot <= n_ot;
                end
                assign n_sa = new_fold ? n_so + n_kin + R - 32'd1 : sa - 32'd1;
                assign n_ra = new_fold ? n_it : ra + ((cyc >= R) ? 32'd1 : 32'd0);
                assign n_oa = new_fold ? n_ot : oa + ((cyc >= D) ? 32'd1 : 32'd0);
                assign stat_word = ibuf_rdata;
                assign str_word = wbuf_rdata;
                assign ibuf_raddr = n_sa[IAW-1:0];
                assign wbuf_raddr = n_ra[WAW-1:0];
            end else begin : g_wsa
                // stationary krow * nout + outer, streamed s * nin + inner, output
                // t * nout + outer; ktop = outer + inner * R * nout, rn = R * nout
                reg [31:0] rn, ktop;
                wire [31:0] n_rn = start ? mul_r(c_nout) : rn;
                wire [31:0] n_ktop = start ? 32'd0 : adv_out ? n_outer :
                                     adv_in ? ktop + rn : ktop;
                always @(posedge clk) begin
                    rn <= n_rn;
                    ktop <= n_ktop;
                end
                assign n_sa = new_fold ? n_ktop + n_rn - n_nout : sa - nout;
                assign n_ra = new_fold ? n_inner : ra + ((cyc >= R) ? nin : 32'd0);
                assign n_oa = new_fold ? n_outer : oa + ((cyc >= D) ? nout : 32'd0);
                assign stat_word = wbuf_rdata;
                assign str_word = ibuf_rdata;
                assign wbuf_raddr = n_sa[WAW-1:0];
                assign ibuf_raddr = n_ra[IAW-1:0];
            end

            // Flat arrays: a_h[i*(COLS+1)+j] enters PE(i,j) from the left; w_v[i*COLS+j] is
            // the stationary value above row i; p_v[i*COLS+j] the partial sum into row i.
            wire [FB-1:0]  a_h [0:ROWS*(COLS+1)-1];
            wire [SB-1:0]  w_v [0:(ROWS+1)*COLS-1];
            wire [ACC_BITS-1:0] p_v [0:(ROWS+1)*COLS-1];
            wire [COLS*ACC_BITS-1:0] p_bot;                  // the bottom row's sums

            for (j = 0; j < COLS; j = j + 1) begin : g_top
                assign w_v[j] = ldv ? stat_word[j*SB +: SB] : {SB{1'b0}};
                assign p_v[j] = {ACC_BITS{1'b0}};
            end

            // Row i's operand is delayed i cycles (the skew).
            wire [ROWS*FB-1:0] a_in;
            hwnas_skew #(.W(FB), .N(ROWS), .REV(0), .RST(1)) skew (
                .clk(clk), .rst(rst), .valid(strv), .d(str_word), .q(a_in));
            for (i = 0; i < ROWS; i = i + 1) begin : g_skew
                assign a_h[i*(COLS+1)] = a_in[i*FB +: FB];
            end

            if (PACK == 0) begin : g_pe1
                for (i = 0; i < ROWS; i = i + 1) begin : g_row
                    for (j = 0; j < COLS; j = j + 1) begin : g_col
                        /* verilator lint_off UNUSEDSIGNAL */
                        wire [ACC_BITS-1:0] pn;    // used by the bottom row only
                        /* verilator lint_on UNUSEDSIGNAL */
                        hwnas_pe_ws #(.SB(SB), .FB(FB), .ACC(ACC_BITS)) pe (
                            .clk(clk), .rst(rst), .wload(ld),
                            .w_in(w_v[i*COLS+j]), .w(w_v[(i+1)*COLS+j]),
                            .a_in(a_h[i*(COLS+1)+j]), .a_out(a_h[i*(COLS+1)+j+1]),
                            .p_in(p_v[i*COLS+j]), .p_next(pn), .p_out(p_v[(i+1)*COLS+j]));
                        if (i == ROWS - 1) begin : g_bot
                            assign p_bot[j*ACC_BITS +: ACC_BITS] = pn;
                        end
                    end
                end
            end else begin : g_pek
                // blocks of NC = min(BC, COLS - j0) columns sharing the streamed operand
                for (i = 0; i < ROWS; i = i + 1) begin : g_row
                    for (j = 0; j < COLS; j = j + BC) begin : g_blk
                        localparam NC = (COLS - j < BC) ? COLS - j : BC;
                        wire [NC*SB-1:0] wi, wo;
                        wire [NC*FB-1:0] aq;
                        wire [NC*ACC_BITS-1:0] pi, po;
                        /* verilator lint_off UNUSEDSIGNAL */
                        wire [NC*ACC_BITS-1:0] pn;    // used by the bottom row only
                        /* verilator lint_on UNUSEDSIGNAL */
                        genvar c;
                        for (c = 0; c < NC; c = c + 1) begin : g_c
                            assign wi[c*SB +: SB] = w_v[i*COLS+j+c];
                            assign w_v[(i+1)*COLS+j+c] = wo[c*SB +: SB];
                            assign a_h[i*(COLS+1)+j+c+1] = aq[c*FB +: FB];
                            assign pi[c*ACC_BITS +: ACC_BITS] = p_v[i*COLS+j+c];
                            assign p_v[(i+1)*COLS+j+c] = po[c*ACC_BITS +: ACC_BITS];
                            if (i == ROWS - 1) begin : g_bot
                                assign p_bot[(j+c)*ACC_BITS +: ACC_BITS] =
                                    pn[c*ACC_BITS +: ACC_BITS];
                            end
                        end
                        hwnas_pe_ws_pk #(.SB(SB), .FB(FB), .ACC(ACC_BITS), .NC(NC),
                                         .LUT(LUTM)) pe (
                            .clk(clk), .rst(rst), .wload(ld), .w_in(wi), .w(wo),
                            .a_in(a_h[i*(COLS+1)+j]), .a_q(aq),
                            .p_in(pi), .p_next(pn), .p_out(po));
                    end
                end
            end

            // Column j's sum leaves the bottom row j - j % BC cycles after column 0's; delay
            // it so a whole output row reaches the obuf adder together.
            hwnas_skew #(.W(ACC_BITS), .N(COLS), .REV(1), .B(BC), .RST(0)) deskew (
                .clk(clk), .rst(rst), .valid(1'b1), .d(p_bot), .q(res));

            wire unused_ws = &{1'b0, a_h[ROWS*(COLS+1)-1], p_v[ROWS*COLS], tm, tn,
                               w_v[ROWS*COLS], sa, ra, n_oa[31:OAW], n_sa, n_ra, n_tm,
                               n_tn, n_tk, n_nin, out_addr[31:OAW]};
        end else begin : g_os
            // ---------------- output stationary ------------------------------------------
            wire strv = busy && (cyc < T);
            // a: outer * tk + cyc; b: cyc * nin + inner; output (outer * R + R - 1 - d) * nin
            // + inner in drain cycle d; mr = outer * R, mrn = outer * R * nin, rn = R * nin
            reg [31:0] so, mr, mrn, rn, aa, ba, mrow, oa;
            wire [31:0] dstart = T + R + C - 2;
            wire [31:0] n_rn = start ? mul_r(c_nin) : rn;
            wire [31:0] n_so = start ? 32'd0 : adv_out ? so + tk : so;
            wire [31:0] n_mr = start ? 32'd0 : adv_out ? mr + R : mr;
            wire [31:0] n_mrn = start ? 32'd0 : adv_out ? mrn + rn : mrn;
            wire [31:0] n_aa = new_fold ? n_so : aa + 32'd1;
            wire [31:0] n_ba = new_fold ? n_inner : ba + nin;
            wire [31:0] n_mrow = new_fold ? n_mr + R - 32'd1
                                          : mrow - ((cyc >= dstart) ? 32'd1 : 32'd0);
            wire [31:0] n_oa = new_fold ? n_inner + n_mrn + n_rn - n_nin
                                        : oa - ((cyc >= dstart) ? nin : 32'd0);
            always @(posedge clk) begin
                rn <= n_rn;
                so <= n_so;
                mr <= n_mr;
                mrn <= n_mrn;
                aa <= n_aa;
                ba <= n_ba;
                mrow <= n_mrow;
                oa <= n_oa;
            end
            wire drain = busy && (cyc >= dstart);
            assign outv = drain && (mrow < tm);
            assign out_addr = oa;
            assign first = init;
            assign ibuf_raddr = n_aa[IAW-1:0];
            assign wbuf_raddr = n_ba[WAW-1:0];
            assign obuf_raddr = n_oa[OAW-1:0];

            wire [A_BITS-1:0] a_h [0:ROWS*(COLS+1)-1];
            wire [W_BITS-1:0] b_v [0:(ROWS+1)*COLS-1];
            wire [ACC_BITS-1:0] c_v [0:(ROWS+1)*COLS-1];

            // Row i's A enters i - i % BR cycles late, column j's B j - j % BC (the skew).
            wire [ROWS*A_BITS-1:0] a_in;
            wire [COLS*W_BITS-1:0] b_in;
            hwnas_skew #(.W(A_BITS), .N(ROWS), .REV(0), .B(BR), .RST(1)) askew (
                .clk(clk), .rst(rst), .valid(strv), .d(ibuf_rdata), .q(a_in));
            hwnas_skew #(.W(W_BITS), .N(COLS), .REV(0), .B(BC), .RST(1)) bskew (
                .clk(clk), .rst(rst), .valid(strv), .d(wbuf_rdata), .q(b_in));
            for (i = 0; i < ROWS; i = i + 1) begin : g_askew
                assign a_h[i*(COLS+1)] = a_in[i*A_BITS +: A_BITS];
            end
            for (j = 0; j < COLS; j = j + 1) begin : g_bskew
                assign c_v[j] = {ACC_BITS{1'b0}};
                assign b_v[j] = b_in[j*W_BITS +: W_BITS];
            end

            if (PACK == 0) begin : g_pe1
                for (i = 0; i < ROWS; i = i + 1) begin : g_row
                    for (j = 0; j < COLS; j = j + 1) begin : g_col
                        hwnas_pe_os #(.AB(A_BITS), .BB(W_BITS), .ACC(ACC_BITS)) pe (
                            .clk(clk), .rst(rst), .drain(drain),
                            .a_in(a_h[i*(COLS+1)+j]), .a_out(a_h[i*(COLS+1)+j+1]),
                            .b_in(b_v[i*COLS+j]), .b_out(b_v[(i+1)*COLS+j]),
                            .acc_in(c_v[i*COLS+j]), .acc(c_v[(i+1)*COLS+j]));
                    end
                end
            end else begin : g_pek
                // blocks of NR x NC PEs: the outer product of NR activations and NC weights
                for (i = 0; i < ROWS; i = i + BR) begin : g_brow
                    for (j = 0; j < COLS; j = j + BC) begin : g_blk
                        localparam NR = (ROWS - i < BR) ? ROWS - i : BR;
                        localparam NC = (COLS - j < BC) ? COLS - j : BC;
                        wire [NR*A_BITS-1:0] ai;
                        wire [NR*NC*A_BITS-1:0] aq;
                        wire [NC*W_BITS-1:0] bi;
                        wire [NC*NR*W_BITS-1:0] bq;
                        wire [NC*ACC_BITS-1:0] ci;
                        wire [NR*NC*ACC_BITS-1:0] co;
                        genvar r, c;
                        for (r = 0; r < NR; r = r + 1) begin : g_r
                            assign ai[r*A_BITS +: A_BITS] = a_h[(i+r)*(COLS+1)+j];
                            for (c = 0; c < NC; c = c + 1) begin : g_c
                                assign a_h[(i+r)*(COLS+1)+j+c+1] =
                                    aq[(r*NC+c)*A_BITS +: A_BITS];
                                assign b_v[(i+r+1)*COLS+j+c] = bq[(c*NR+r)*W_BITS +: W_BITS];
                                assign c_v[(i+r+1)*COLS+j+c] =
                                    co[(r*NC+c)*ACC_BITS +: ACC_BITS];
                            end
                        end
                        for (c = 0; c < NC; c = c + 1) begin : g_top
                            assign bi[c*W_BITS +: W_BITS] = b_v[i*COLS+j+c];
                            assign ci[c*ACC_BITS +: ACC_BITS] = c_v[i*COLS+j+c];
                        end
                        hwnas_pe_os_pk #(.AB(A_BITS), .BB(W_BITS), .ACC(ACC_BITS), .NR(NR),
                                         .NC(NC), .LUT(LUTM)) pe (
                            .clk(clk), .rst(rst), .drain(drain),
                            .a_in(ai), .a_q(aq), .b_in(bi), .b_q(bq),
                            .acc_in(ci), .acc(co));
                    end
                end
            end
            for (j = 0; j < COLS; j = j + 1) begin : g_res
                assign res[j*ACC_BITS +: ACC_BITS] = c_v[ROWS*COLS+j];
            end

            wire unused_os = &{1'b0, a_h[ROWS*(COLS+1)-1], b_v[ROWS*COLS], tn, aa, ba,
                               n_aa[31:IAW], n_ba[31:WAW], n_oa[31:OAW], n_tm, n_tn,
                               n_tk, out_addr[31:OAW]};
        end
    endgenerate
endmodule
