// hwnas_axil: the AXI4-Lite control and status slave of hwnas_axi (register map in
// docs/deploy.md). 32-bit data, 8 address bits, word-aligned registers; write strobes are
// honoured per byte. A write and a read are each served one at a time: AWREADY/WREADY accept
// address and data independently, BVALID follows once both are in; ARREADY accepts an address
// when no read response is pending. Every response is OKAY (an unmapped address reads 0 and
// ignores writes).
module hwnas_axil #(
    parameter [31:0] PARAMS0 = 32'd0,   // read-only words describing the build
    parameter [31:0] PARAMS1 = 32'd0
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        s_awvalid,
    output reg         s_awready,
    input  wire [7:0]  s_awaddr,
    input  wire        s_wvalid,
    output reg         s_wready,
    input  wire [31:0] s_wdata,
    input  wire [3:0]  s_wstrb,
    output reg         s_bvalid,
    input  wire        s_bready,
    output wire [1:0]  s_bresp,
    input  wire        s_arvalid,
    output reg         s_arready,
    input  wire [7:0]  s_araddr,
    output reg         s_rvalid,
    input  wire        s_rready,
    output reg  [31:0] s_rdata,
    output wire [1:0]  s_rresp,
    // to the controller
    output reg         start,          // one-cycle pulse: CTRL bit 0 written with 1
    output reg         irq_en,
    output reg         clr_done,       // one-cycle pulse: STATUS bit 1 written with 1
    output reg  [31:0] dq_addr,
    output reg  [31:0] dq_count,
    output reg  [31:0] cq_addr,
    output reg  [31:0] cq_count,
    input  wire        st_busy,
    input  wire        st_done,
    input  wire        st_error,
    input  wire [31:0] st_cycles,
    input  wire [31:0] st_dma_count,
    input  wire [31:0] st_cmp_count,
    input  wire [31:0] st_arr_busy,
    input  wire [31:0] st_dma_busy,
    input  wire [31:0] st_rd_bytes,
    input  wire [31:0] st_wr_bytes
);
    assign s_bresp = 2'b00;
    assign s_rresp = 2'b00;

    reg        aw_have, w_have;
    reg [7:0]  aw_q;
    reg [31:0] w_q;
    reg [3:0]  ws_q;

    function [31:0] merge(input [31:0] old, input [31:0] d, input [3:0] s);
        integer b;
        begin
            for (b = 0; b < 4; b = b + 1)
                merge[b*8 +: 8] = s[b] ? d[b*8 +: 8] : old[b*8 +: 8];
        end
    endfunction

    wire do_write = aw_have && w_have && !s_bvalid;

    always @(posedge clk) begin
        start <= 1'b0;
        clr_done <= 1'b0;
        if (rst) begin
            s_awready <= 1'b0;
            s_wready <= 1'b0;
            s_bvalid <= 1'b0;
            aw_have <= 1'b0;
            w_have <= 1'b0;
            irq_en <= 1'b0;
            dq_addr <= 32'd0;
            dq_count <= 32'd0;
            cq_addr <= 32'd0;
            cq_count <= 32'd0;
        end else begin
            // address and data channels: ready for one beat each while not holding one
            s_awready <= !aw_have && !(s_awvalid && s_awready);
            s_wready <= !w_have && !(s_wvalid && s_wready);
            if (s_awvalid && s_awready) begin
                aw_have <= 1'b1;
                aw_q <= s_awaddr;
            end
            if (s_wvalid && s_wready) begin
                w_have <= 1'b1;
                w_q <= s_wdata;
                ws_q <= s_wstrb;
            end
            if (do_write) begin
                aw_have <= 1'b0;
                w_have <= 1'b0;
                s_bvalid <= 1'b1;
                case (aw_q[7:2])
                6'h00: begin
                    if (ws_q[0]) begin
                        start <= w_q[0];
                        irq_en <= w_q[1];
                    end
                end
                6'h01: if (ws_q[0] && w_q[1]) clr_done <= 1'b1;
                6'h02: dq_addr <= merge(dq_addr, w_q, ws_q);
                6'h03: dq_count <= merge(dq_count, w_q, ws_q);
                6'h04: cq_addr <= merge(cq_addr, w_q, ws_q);
                6'h05: cq_count <= merge(cq_count, w_q, ws_q);
                default: ;
                endcase
            end
            if (s_bvalid && s_bready)
                s_bvalid <= 1'b0;
        end
    end

    always @(posedge clk) begin
        if (rst) begin
            s_arready <= 1'b0;
            s_rvalid <= 1'b0;
            s_rdata <= 32'd0;
        end else begin
            s_arready <= !s_rvalid && !(s_arvalid && s_arready);
            if (s_arvalid && s_arready) begin
                s_rvalid <= 1'b1;
                case (s_araddr[7:2])
                6'h00: s_rdata <= {30'd0, irq_en, 1'b0};
                6'h01: s_rdata <= {29'd0, st_error, st_done, st_busy};
                6'h02: s_rdata <= dq_addr;
                6'h03: s_rdata <= dq_count;
                6'h04: s_rdata <= cq_addr;
                6'h05: s_rdata <= cq_count;
                6'h06: s_rdata <= st_cycles;
                6'h07: s_rdata <= st_dma_count;
                6'h08: s_rdata <= st_cmp_count;
                6'h09: s_rdata <= st_arr_busy;
                6'h0a: s_rdata <= st_dma_busy;
                6'h0b: s_rdata <= st_rd_bytes;
                6'h0c: s_rdata <= st_wr_bytes;
                6'h0d: s_rdata <= 32'h484e4133;     // "HNA3": 192-byte DMA records: windows, vector unit
                6'h0e: s_rdata <= PARAMS0;
                6'h0f: s_rdata <= PARAMS1;
                default: s_rdata <= 32'd0;
                endcase
            end else if (s_rvalid && s_rready) begin
                s_rvalid <= 1'b0;
            end
        end
    end

`ifdef FORMAL
    // Protocol properties (formal/run.sh proves them with yosys-smtbmc): the host keeps the
    // AXI rules (assumed); the slave keeps them too and answers only what was asked.
    reg f_past = 1'b0;
    always @(posedge clk)
        f_past <= 1'b1;

    // transactions in flight, counted by the checker: address / data beats taken, responses
    // not yet given
    reg [3:0] f_aw = 4'd0, f_w = 4'd0, f_ar = 4'd0;
    always @(posedge clk) begin
        if (rst) begin
            f_aw <= 4'd0;
            f_w <= 4'd0;
            f_ar <= 4'd0;
        end else begin
            f_aw <= f_aw + (s_awvalid && s_awready) - (s_bvalid && s_bready);
            f_w <= f_w + (s_wvalid && s_wready) - (s_bvalid && s_bready);
            f_ar <= f_ar + (s_arvalid && s_arready) - (s_rvalid && s_rready);
        end
    end

    always @(*) begin
        if (!f_past)
            assume(rst);
    end

    always @(posedge clk) begin
        if (f_past && !$past(rst)) begin
            // the host: VALID held until READY, payload stable meanwhile
            if ($past(s_awvalid && !s_awready))
                assume(s_awvalid && s_awaddr == $past(s_awaddr));
            if ($past(s_wvalid && !s_wready))
                assume(s_wvalid && s_wdata == $past(s_wdata) && s_wstrb == $past(s_wstrb));
            if ($past(s_arvalid && !s_arready))
                assume(s_arvalid && s_araddr == $past(s_araddr));
            // the slave: responses held until READY, payload stable
            if ($past(s_bvalid && !s_bready))
                assert(s_bvalid && s_bresp == $past(s_bresp));
            if ($past(s_rvalid && !s_rready))
                assert(s_rvalid && s_rdata == $past(s_rdata) && s_rresp == $past(s_rresp));
        end
        // reset: no response pending after it
        if (f_past && $past(rst)) begin
            assert(!s_bvalid);
            assert(!s_rvalid);
        end
    end

    always @(*) begin
        if (f_past && !rst) begin
            // a response only for a request made (an address and its data for a write)
            if (s_bvalid)
                assert(f_aw >= 4'd1 && f_w >= 4'd1);
            if (s_rvalid)
                assert(f_ar >= 4'd1);
            // at most one response pending, and one more address / data beat held
            assert(f_aw <= 4'd2 && f_w <= 4'd2 && f_ar <= 4'd1);
            assert(s_bresp == 2'b00 && s_rresp == 2'b00);
            // the checker's counts are the slave's state (closes the induction)
            assert(f_aw == aw_have + s_bvalid);
            assert(f_w == w_have + s_bvalid);
            assert(f_ar == s_rvalid);
            assert(!(aw_have && s_awready) && !(w_have && s_wready));
            assert(!(s_rvalid && s_arready));
        end
    end
`endif
endmodule
