// hwnas_delay: a D-cycle delay line of a W-bit value (the array's skew and deskew registers),
// one packed shift register. With RST = 1 a reset clears it; with RST = 0 it has no reset (a
// shift register synthesis can map to SRLs). A packed vector rather than an array of
// registers: Verilator cannot unroll a loop of delayed assignments to an array longer than
// its unroll limit (64), which made arrays of more than 65 rows or columns fail to build.
module hwnas_delay #(
    parameter W = 8,
    parameter D = 1,
    parameter RST = 1
) (
    input  wire         clk,
    input  wire         rst,
    input  wire [W-1:0] d,
    output wire [W-1:0] q
);
    generate
        if (D == 0) begin : g_wire
            assign q = d;
        end else if (D == 1) begin : g_one
            reg [W-1:0] r;
            always @(posedge clk)
                if (RST != 0 && rst)
                    r <= {W{1'b0}};
                else
                    r <= d;
            assign q = r;
        end else begin : g_many
            reg [D*W-1:0] r;
            always @(posedge clk)
                if (RST != 0 && rst)
                    r <= {(D*W){1'b0}};
                else
                    r <= {r[(D-1)*W-1:0], d};
            assign q = r[D*W-1 -: W];
        end
    endgenerate
    wire unused_delay = &{1'b0, rst};
endmodule
