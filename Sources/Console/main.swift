print("market-console")
