

Blog_probabilitiesJPh À6[Àyó‡À–¯°ÀSšzÀ85À8H’Àö‰[ÀP¿Á¿*£¿ëbÆÀG@`ÀinãÀ'Øë¿{^™¿n!À–×c¿\KÎÀXÁÀb“À