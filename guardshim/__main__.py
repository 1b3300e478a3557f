from guardshim.cli import main

raise SystemExit(main())
