import BLASKit
print("macroopt: BLAS \(BLAS.configuration)")
