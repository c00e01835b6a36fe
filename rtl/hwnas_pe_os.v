// Processing elements: one signed MAC per cycle. Products and sums wrap modulo 2^ACC
// (two's complement), the integer semantics sim/ reproduces in C.

// Output-stationary PE: A moves right, B moves down, the sum stays; while drain is high the
// sums shift down one row per cycle (the top row takes acc_in = 0).
module hwnas_pe_os #(
    parameter AB = 8,
    parameter BB = 8,
    parameter ACC = 32
) (
    input  wire                  clk,
    input  wire                  rst,
    input  wire                  drain,
    input  wire signed [AB-1:0]  a_in,
    output reg  signed [AB-1:0]  a_out,
    input  wire signed [BB-1:0]  b_in,
    output reg  signed [BB-1:0]  b_out,
    input  wire signed [ACC-1:0] acc_in,
    output reg  signed [ACC-1:0] acc
);
    wire signed [ACC-1:0] ax = {{(ACC-AB){a_in[AB-1]}}, a_in};
    wire signed [ACC-1:0] bx = {{(ACC-BB){b_in[BB-1]}}, b_in};
    always @(posedge clk) begin
        if (rst) begin
            a_out <= {AB{1'b0}};
            b_out <= {BB{1'b0}};
            acc <= {ACC{1'b0}};
        end else begin
            a_out <= a_in;
            b_out <= b_in;
            if (drain)
                acc <= acc_in;
            else
                acc <= acc + ax * bx;
        end
    end
endmodule
