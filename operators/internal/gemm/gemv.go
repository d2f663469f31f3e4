package gemm

// gemvRow handles m == 1: c[j] += alpha * sum_p op(A)[0,p] * op(B)[p,j].
// When B is not transposed it runs axpys down B's rows, otherwise dot
// products along them; both read B contiguously.
func gemvRow[T Float](transA, transB bool, n, k int, alpha T, a []T, lda int, b []T, ldb int, c []T) {
	at := func(p int) T {
		if transA {
			return a[p*lda]
		}
		return a[p]
	}
	c = c[:n]
	if !transB {
		for p := 0; p < k; p++ {
			av := alpha * at(p)
			if av == 0 {
				continue
			}
			axpy(av, b[p*ldb:p*ldb+n], c)
		}
		return
	}
	var row []T
	if !transA {
		row = a[:k]
	} else {
		row = make([]T, k)
		for p := range row {
			row[p] = a[p*lda]
		}
	}
	for j := range c {
		c[j] += alpha * dot(row, b[j*ldb:j*ldb+k])
	}
}

// gemvCol handles n == 1: c[i*ldc] += alpha * sum_p op(A)[i,p] * op(B)[p,0].
func gemvCol[T Float](transA, transB bool, m, k int, alpha T, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	var col []T
	if transB {
		col = b[:k]
	} else {
		col = make([]T, k)
		for p := range col {
			col[p] = b[p*ldb]
		}
	}
	if !transA {
		for i := 0; i < m; i++ {
			c[i*ldc] += alpha * dot(a[i*lda:i*lda+k], col)
		}
		return
	}
	// op(A)[i,p] = a[p*lda+i]: accumulate column by column into a
	// contiguous temporary, then scatter.
	acc := make([]T, m)
	for p := 0; p < k; p++ {
		if col[p] == 0 {
			continue
		}
		axpy(alpha*col[p], a[p*lda:p*lda+m], acc)
	}
	for i, v := range acc {
		c[i*ldc] += v
	}
}

// dot returns sum x[i]*y[i] with four independent partial sums.
func dot[T Float](x, y []T) T {
	y = y[:len(x)]
	var s0, s1, s2, s3 T
	i := 0
	for ; i+4 <= len(x); i += 4 {
		xp := (*[4]T)(x[i:])
		yp := (*[4]T)(y[i:])
		s0 += xp[0] * yp[0]
		s1 += xp[1] * yp[1]
		s2 += xp[2] * yp[2]
		s3 += xp[3] * yp[3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// axpy computes y[i] += alpha*x[i].
func axpy[T Float](alpha T, x, y []T) {
	y = y[:len(x)]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		xp := (*[4]T)(x[i:])
		yp := (*[4]T)(y[i:])
		yp[0] += alpha * xp[0]
		yp[1] += alpha * xp[1]
		yp[2] += alpha * xp[2]
		yp[3] += alpha * xp[3]
	}
	for ; i < len(x); i++ {
		y[i] += alpha * x[i]
	}
}
