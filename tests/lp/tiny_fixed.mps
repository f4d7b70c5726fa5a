* A small LP that exercises fixed-format MPS: names with spaces, RANGES on
* E rows of both signs and on an L row, bounds UP LO FX MI PL, UP < 0 on a
* column with lower bound 0, and an objective constant (RHS on the objective).
* Optimum: 5.5 (x = 3, 1, 3, 0.5, -2, 1), constant -2.5 included.
NAME          TINY FIXED
ROWS
 N  COST
 E  LIM 1
 E  LIM 2
 L  CAP
 G  DEM
 E  PLAIN
COLUMNS
    X ONE     COST               0.5   LIM 1              1.0
    X ONE     CAP                1.0
    X TWO     COST               2.0   LIM 2              1.0
    X TWO     DEM                1.0
    X3        COST              -1.0   CAP                1.0
    X3        PLAIN              1.0
    X4        COST               1.0   DEM                1.0
    X4        LIM 2              1.0
    X5        COST              -2.0   PLAIN              1.0
    X6        COST               3.0   LIM 1              1.0
    X6        DEM                1.0
RHS
    RHS       COST              -2.5   LIM 1              4.0
    RHS       LIM 2              3.0   CAP               10.0
    RHS       DEM                2.0   PLAIN              1.0
RANGES
    RNG       LIM 1              2.0   LIM 2             -1.5
    RNG       CAP                4.0
BOUNDS
 UP BND       X ONE              3.0
 MI BND       X3
 UP BND       X3                 5.0
 FX BND       X4                 0.5
 UP BND       X5                -1.0
 LO BND       X6                0.25
 PL BND       X6
ENDATA
