#!/usr/bin/env bash
# MPI: 'mpirun -np 3 hwnas-mpi explore' gives the serial front.json; a run whose rank 0 dies
# stops, and resumes from the store to the same front.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
mpi_bin=$(dirname "$HWNAS")/hwnas-mpi
# Under SAN=1, LeakSanitizer reports Open MPI's own allocations left at exit (not hwnas's);
# leak checking is off for these runs only. Address and UB checks stay on.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
if ! command -v mpirun >/dev/null || ! command -v mpicc >/dev/null; then
	echo "mpi: skipped: mpicc/mpirun not found (apt-get install libopenmpi-dev openmpi-bin)"
	finish
	exit
fi
if [ ! -x "$mpi_bin" ]; then
	# make decides whether to build it before it installs missing packages: build it now
	make -s -C "$root" BUILD="$(dirname "$HWNAS")" MPI=1 "$mpi_bin" >/dev/null 2>&1
fi
if [ ! -x "$mpi_bin" ]; then
	echo "mpi: skipped: $mpi_bin not built (make builds it when mpicc is found)"
	finish
	exit
fi
tmp=$(mktemp -d)
small_space "$tmp/space.json"
# as root in a container: allow it, and no shared-memory single-copy (needs ptrace rights)
mpirun=(mpirun --allow-run-as-root --oversubscribe --mca btl_vader_single_copy_mechanism none -np 3)
export OMPI_MCA_rmaps_base_oversubscribe=1

for s in nsga2 annealing; do
	expect_exit 0 "$HWNAS" explore --space "$tmp/space.json" --strategy $s --budget 300 --seed 3 --out "$tmp/serial-$s" --quiet --no-db
	expect_exit 0 "${mpirun[@]}" "$mpi_bin" explore --space "$tmp/space.json" --strategy $s --budget 300 --seed 3 --out "$tmp/mpi-$s"
	expect_in "$err" "evaluating on 2 MPI ranks" "$s: ranks used"
	cmp -s "$tmp/serial-$s/front.json" "$tmp/mpi-$s/front.json" && ok || bad "$s: MPI front.json differs from the serial one"
done
# rank 0 dies after 100 stored evaluations: mpirun stops every rank; the same command resumes
expect_exit 0 "$HWNAS" explore --space "$tmp/space.json" --strategy nsga2 --budget 400 --seed 4 --out "$tmp/ref" --quiet
HWNAS_TEST_DIE_AFTER=100 "${mpirun[@]}" -x HWNAS_TEST_DIE_AFTER "$mpi_bin" explore --space "$tmp/space.json" --strategy nsga2 --budget 400 --seed 4 --out "$tmp/r" --quiet >/dev/null 2>&1
[ $? != 0 ] && ok || bad "mpirun did not fail when rank 0 died"
# batches commit together: at least 100 rows, up to a batch more
n=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from evals').fetchone()[0])" "$tmp/r/hwnas.db")
[ "$n" -ge 100 ] && [ "$n" -lt 120 ] && ok || bad "rows after rank 0 died: $n"
expect_exit 0 "${mpirun[@]}" "$mpi_bin" explore --space "$tmp/space.json" --strategy nsga2 --budget 400 --seed 4 --out "$tmp/r" --quiet
expect_in "$out" "session 2: $((400 - n)) evaluated, $n from the store" "MPI resume"
cmp -s "$tmp/ref/front.json" "$tmp/r/front.json" && ok || bad "resumed MPI front.json differs"
rm -rf "$tmp"
finish
