* the same LP in free format, CRLF line endings, maximising the negated
* objective: optimum -5.5
NAME tiny_free
OBJSENSE
    MAX
ROWS
 N cost
 E lim1
 E lim2
 L cap
 G dem
 E plain
COLUMNS
 x_one cost -0.5 lim1 1
 x_one cap 1
 x_two cost -2 lim2 1
 x_two dem 1
 x3 cost 1 cap 1
 x3 plain 1
 x4 cost -1 dem 1
 x4 lim2 1
 x5 cost 2 plain 1
 x6 cost -3 lim1 1
 x6 dem 1
RHS
 rhs cost 2.5 lim1 4
 rhs lim2 3 cap 10
 rhs dem 2 plain 1
RANGES
 rng lim1 2 lim2 -1.5
 rng cap 4
BOUNDS
 UP bnd x_one 3
 MI bnd x3
 UP bnd x3 5
 FX bnd x4 0.5
 UP bnd x5 -1
 LO bnd x6 0.25
 PL bnd x6
ENDATA
